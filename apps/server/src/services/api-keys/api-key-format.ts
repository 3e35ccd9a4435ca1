import { randomBytes } from 'node:crypto'

/**
 * API key secrets look like `sk_live_<keyId>_<secret>`. The keyId is public and
 * indexed, so a request finds its key row directly and pays for at most one bcrypt
 * compare; the secret part never leaves the response that created it.
 */
/**
 * What a key may be allowed, one scope per procedure family (scopedProcedure in
 * trpc/init.ts): `models:read` covers the model registry's list and the retraining
 * jobs (models.list, training.list, training.get).
 */
export const API_KEY_SCOPES = ['ingest:write', 'anomalies:read', 'anomalies:write', 'transactions:read', 'models:read'] as const
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number]

const PATTERN = /^sk_live_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{32,})$/

export interface GeneratedKey {
  secret: string
  keyId: string
  /** What lists and logs show: identifies the key, cannot be used as one. */
  keyPrefix: string
}

export function generateApiKey(): GeneratedKey {
  const keyId = randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').slice(0, 12)
  const secret = `sk_live_${keyId}_${randomBytes(24).toString('base64url')}`
  return { secret, keyId, keyPrefix: `sk_live_${keyId}` }
}

export function parseApiKey(token: string): { keyId: string } | null {
  const match = PATTERN.exec(token)
  return match?.[1] ? { keyId: match[1] } : null
}

export function looksLikeApiKey(token: string): boolean {
  return token.startsWith('sk_')
}
