import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { jwtVerify, SignJWT } from 'jose'
import { AppError } from '@anomalyze/shared'
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, writePrivateFileSync } from '@anomalyze/shared/node'
import type { Authenticator, Session } from './session.ts'

/**
 * Local mode: one machine, one analyst, no identity provider. The server signs a
 * token for the local analyst with a secret kept in the data dir, and the start
 * command hands that token to the console. Anyone who can read the data dir is the
 * analyst, which is the trust model of a single-user desktop install.
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

export async function mintLocalToken(secret: Uint8Array, userId = LOCAL_USER_ID): Promise<string> {
  return new SignJWT({ name: 'Local analyst' })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(TOKEN_LIFETIME)
    .sign(secret)
}

export function createLocalAuthenticator(secret: Uint8Array): Authenticator {
  return {
    async authenticate(token: string): Promise<Session> {
      try {
        const { payload } = await jwtVerify(token, secret, { issuer: ISSUER, algorithms: ['HS256'] })
        if (!payload.sub) throw new Error('no subject')
        const name = typeof payload.name === 'string' ? payload.name : undefined
        return { userId: payload.sub, name, via: 'local', scopes: 'all' }
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error)
        throw new AppError('UNAUTHENTICATED', `Local session token rejected: ${reason}`)
      }
    },
  }
}
