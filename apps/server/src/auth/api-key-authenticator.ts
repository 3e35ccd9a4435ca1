import { createHash, timingSafeEqual } from 'node:crypto'
import { AppError } from '@anomalyze/shared'
import { sqlPoolOf, type Db } from '../db/prisma.ts'
import { UTC_FROM_MS } from '../db/sql.ts'
import { parseApiKey } from '../services/api-keys/api-key-format.ts'
import { NO_THROTTLE, type AuthClient, type AuthThrottle, type ThrottleSubject } from './auth-throttle.ts'
import { bcryptCompareOffThread } from './bcrypt-off-thread.ts'
import type { Authenticator, Credential } from './session.ts'

/** How long a verified secret skips bcrypt. Revocation is still checked on every request. */
const VERIFIED_TTL_MS = 60_000
/** A verified entry this close to expiry is re-verified in the background. */
const REFRESH_AHEAD_MS = 15_000
/** lastUsedAt is written at most this often per key, not on every request. */
const LAST_USED_RESOLUTION_MS = 60_000

interface KeyRow {
  id: string
  orgId: string
  createdById: string | null
  keyHash: string
  scopes: string[]
  revoked: boolean
  expiresAtMs: number | null
  lastUsedAtMs: number | null
}

interface Verified {
  /** sha256 of the full secret that bcrypt accepted. */
  digest: Buffer
  /** The hash it was accepted against (a key whose hash changed is verified again). */
  keyHash: string
  until: number
}

/**
 * API keys: one indexed lookup by the public keyId per request (which also sees a
 * revocation made by any server instance at once), and a bcrypt compare only when
 * this process has not verified the same secret in the last minute.
 *
 * Wrong secrets (see auth-throttle.ts): a secret other than the one this process has
 * verified for the key fails without a compare and never touches the verified entry,
 * so guesses cost the real key nothing. A key not verified here yet pays a compare per
 * attempt, counted per key prefix and client address; past the throttle's limits the
 * answer is 429 with no compare. The verified secret gets in even then (it costs no
 * compare), also once its entry is past the minute.
 */
export function createApiKeyAuthenticator(
  db: Db,
  {
    now = Date.now,
    compareHash = bcryptCompareOffThread,
    throttle = NO_THROTTLE,
  }: { now?: () => number; compareHash?: (secret: string, hash: string) => Promise<boolean>; throttle?: AuthThrottle } = {},
): Authenticator {
  const verified = new Map<string, Verified>()
  // bcrypt compares under way, by key and secret digest: concurrent first calls of a
  // key share one compare. Each takes ~100 ms of CPU (on a worker thread), and a client
  // opening with a hundred parallel calls queued them all behind a hundred compares.
  const verifying = new Map<string, Promise<boolean>>()
  // When this process last wrote lastUsedAt per key, so parallel calls write it once.
  const lastUsedWritten = new Map<string, number>()
  const sql = sqlPoolOf(db)
  return {
    async authenticate(token: string, client?: AuthClient): Promise<Credential> {
      const address = client?.ip
      const parsed = parseApiKey(token)
      const refuse = (subject: ThrottleSubject, message: string): never => {
        const wait = throttle.retryAfterMs(subject)
        if (wait > 0) throw throttle.refusal(subject, wait)
        throttle.fail(subject)
        throw new AppError('UNAUTHENTICATED', message)
      }
      if (!parsed) return refuse({ address }, 'Malformed API key: expected sk_live_<id>_<secret>')
      const subject: ThrottleSubject = { prefix: `sk_live_${parsed.keyId}`, address }
      // Plain SQL: this lookup runs on every API call (see sqlPoolOf). Times come back as epoch ms.
      const { rows } = await sql.query<KeyRow>(
        `SELECT "id", "orgId", "createdById", "keyHash", "scopes", "revokedAt" IS NOT NULL AS revoked,
                (extract(epoch FROM "expiresAt" AT TIME ZONE 'UTC') * 1000)::float8 AS "expiresAtMs",
                (extract(epoch FROM "lastUsedAt" AT TIME ZONE 'UTC') * 1000)::float8 AS "lastUsedAtMs"
         FROM "ApiKey" WHERE "keyId" = $1`,
        [parsed.keyId],
      )
      const key = rows[0]
      if (!key) return refuse(subject, 'Unknown API key')
      if (key.revoked) return refuse(subject, `API key ${parsed.keyId} was revoked`)
      if (key.expiresAtMs !== null && key.expiresAtMs <= now()) {
        return refuse(subject, `API key ${parsed.keyId} has expired`)
      }
      const digest = createHash('sha256').update(token).digest()
      // One compare per key and secret at a time; it refreshes the cache when it succeeds.
      // A failed compare leaves the cache alone: only the verified secret's own compare writes it.
      const verify = (): Promise<boolean> => {
        const flight = `${key.id}:${digest.toString('hex')}`
        let compare = verifying.get(flight)
        if (!compare) {
          compare = compareHash(token, key.keyHash)
            .then((ok) => {
              if (ok) verified.set(key.id, { digest, keyHash: key.keyHash, until: now() + VERIFIED_TTL_MS })
              return ok
            })
            .finally(() => verifying.delete(flight))
          verifying.set(flight, compare)
        }
        return compare
      }
      const cached = verified.get(key.id)
      const sameHash = cached !== undefined && cached.keyHash === key.keyHash
      const known = sameHash && timingSafeEqual(cached.digest, digest)
      if (known) {
        if (cached.until > now()) {
          // Refresh ahead: a busy key is re-verified in the background before its entry
          // expires, so no request of a steady stream waits for a compare (~100 ms).
          if (cached.until - now() < REFRESH_AHEAD_MS) void verify().catch(() => undefined)
        } else if (throttle.retryAfterMs(subject) > 0) {
          // Throttled: the secret bcrypt accepted against this very hash is let in without
          // a compare (it cannot have stopped matching), so guessers cannot lock it out.
        } else if (!(await verify())) {
          throw new AppError('UNAUTHENTICATED', 'Invalid API key')
        }
      } else if (sameHash) {
        // Not the secret verified for this key: wrong, and known to be without a compare.
        return refuse(subject, 'Invalid API key')
      } else {
        const wait = throttle.retryAfterMs(subject)
        if (wait > 0) throw throttle.refusal(subject, wait)
        const ticket = throttle.attempt(subject)
        if (!(await verify())) throw new AppError('UNAUTHENTICATED', 'Invalid API key')
        ticket.succeeded()
      }
      const lastUsed = Math.max(key.lastUsedAtMs ?? 0, lastUsedWritten.get(key.id) ?? 0)
      if (now() - lastUsed > LAST_USED_RESOLUTION_MS) {
        lastUsedWritten.set(key.id, now())
        await sql.query(`UPDATE "ApiKey" SET "lastUsedAt" = ${UTC_FROM_MS('$2')} WHERE "id" = $1`, [key.id, now()])
      }
      return { kind: 'apikey', orgId: key.orgId, userId: key.createdById, role: null, via: 'apikey', scopes: key.scopes, apiKeyId: key.id }
    },
  }
}
