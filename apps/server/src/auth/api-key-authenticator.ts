import { createHash, timingSafeEqual } from 'node:crypto'
import bcrypt from 'bcryptjs'
import { AppError } from '@anomalyze/shared'
import type { Db } from '../db/prisma.ts'
import { parseApiKey } from '../services/api-keys/api-key-format.ts'
import type { Authenticator, Session } from './session.ts'

/** How long a verified secret skips bcrypt. Revocation is still checked on every request. */
const VERIFIED_TTL_MS = 60_000
/** lastUsedAt is written at most this often per key, not on every request. */
const LAST_USED_RESOLUTION_MS = 60_000

interface Verified {
  digest: Buffer
  until: number
}

/**
 * API keys: one indexed lookup by the public keyId per request (which also sees a
 * revocation made by any server instance at once), and a bcrypt compare only when
 * this process has not verified the same secret in the last minute.
 */
export function createApiKeyAuthenticator(db: Db, now: () => number = Date.now): Authenticator {
  const verified = new Map<string, Verified>()
  return {
    async authenticate(token: string): Promise<Session> {
      const parsed = parseApiKey(token)
      if (!parsed) throw new AppError('UNAUTHENTICATED', 'Malformed API key: expected sk_live_<id>_<secret>')
      const key = await db.apiKey.findUnique({
        where: { keyId: parsed.keyId },
        select: { id: true, userId: true, keyHash: true, scopes: true, revokedAt: true, expiresAt: true, lastUsedAt: true },
      })
      if (!key) throw new AppError('UNAUTHENTICATED', 'Unknown API key')
      if (key.revokedAt) throw new AppError('UNAUTHENTICATED', `API key ${parsed.keyId} was revoked`)
      if (key.expiresAt && key.expiresAt.getTime() <= now()) {
        throw new AppError('UNAUTHENTICATED', `API key ${parsed.keyId} has expired`)
      }
      const digest = createHash('sha256').update(token).digest()
      const cached = verified.get(key.id)
      const fresh = cached && cached.until > now() && timingSafeEqual(cached.digest, digest)
      if (!fresh) {
        if (!(await bcrypt.compare(token, key.keyHash))) throw new AppError('UNAUTHENTICATED', 'Invalid API key')
        verified.set(key.id, { digest, until: now() + VERIFIED_TTL_MS })
      }
      if (!key.lastUsedAt || now() - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
        await db.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: new Date(now()) } })
      }
      return { userId: key.userId, via: 'apikey', scopes: key.scopes, apiKeyId: key.id }
    },
  }
}
