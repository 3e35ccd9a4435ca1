import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { jwtVerify, SignJWT } from 'jose'
import { AppError } from '@anomalyze/shared'
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, writePrivateFileSync } from '@anomalyze/shared/node'
import type { Authenticator, UserIdentity } from './session.ts'

/**
 * Local mode: no identity provider. The server signs tokens with a secret kept in the
 * data dir: one for the local analyst, handed to the console by the start command, and
 * one per teammate an admin adds (`anomalyze-server users add`, or the Members view),
 * printed once. A token may name an organisation (`org` claim); the membership itself
 * is checked in the database on every request (services/organizations/resolve-session.ts),
 * so removing a teammate takes effect at once. Anyone who can read the data dir can mint
 * tokens, which is the trust model of a self-hosted install.
 */
export const LOCAL_USER_ID = 'local_analyst'
const ISSUER = 'anomalyze-local'
const TOKEN_LIFETIME = '30d'

export function readOrCreateLocalSecret(dataDir: string): Uint8Array {
  const file = path.join(dataDir, 'local-session.key')
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE })
    writePrivateFileSync(file, randomBytes(32).toString('base64'))
  } else {
    chmodSync(file, PRIVATE_FILE_MODE) // an older install's file may be 0644
  }
  return Buffer.from(readFileSync(file, 'utf8'), 'base64')
}

export async function mintLocalToken(
  secret: Uint8Array,
  userId = LOCAL_USER_ID,
  { name = 'Local analyst', orgId }: { name?: string; orgId?: string } = {},
): Promise<string> {
  return new SignJWT({ name, ...(orgId ? { org: orgId } : {}) })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(TOKEN_LIFETIME)
    .sign(secret)
}

export function createLocalAuthenticator(secret: Uint8Array): Authenticator {
  return {
    async authenticate(token: string): Promise<UserIdentity> {
      try {
        const { payload } = await jwtVerify(token, secret, { issuer: ISSUER, algorithms: ['HS256'] })
        if (!payload.sub) throw new Error('no subject')
        const name = typeof payload.name === 'string' ? payload.name : undefined
        const org = typeof payload.org === 'string' && payload.org.length > 0 ? { id: payload.org } : undefined
        return { kind: 'user', userId: payload.sub, name, via: 'local', org }
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error)
        throw new AppError('UNAUTHENTICATED', `Local session token rejected: ${reason}`)
      }
    },
  }
}
