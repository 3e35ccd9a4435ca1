import type { AppRouter } from '@anomalyze/server/router'
import type { inferRouterInputs } from '@trpc/server'

/** The scopes apiKeys.create accepts (type only: nothing of the server is bundled). */
type ServerScope = NonNullable<inferRouterInputs<AppRouter>['apiKeys']['create']['scopes']>[number]

/**
 * What each scope lets a key do, in the words shown beside its checkbox. The server's
 * api-key-format.ts decides; `Record<ServerScope, …>` makes a scope added there a type
 * error here, so the form never offers fewer scopes than the server knows.
 */
export const API_KEY_SCOPE_DOES: Record<ServerScope, string> = {
  'ingest:write': 'send transactions (ingest.transactions, batch CSV jobs)',
  'anomalies:read': 'read alerts',
  'anomalies:write': 'label alerts',
  'transactions:read': 'read transactions',
  'models:read': 'read models and retraining jobs',
}

export type ApiKeyScope = ServerScope
export const API_KEY_SCOPES = Object.keys(API_KEY_SCOPE_DOES) as [ApiKeyScope, ...ApiKeyScope[]]
/** What an ingestion client needs, and what a new key gets unless the admin picks more. */
export const DEFAULT_API_KEY_SCOPES: ApiKeyScope[] = ['ingest:write']

/** One of the organisation's keys, as apiKeys.list gives it: never its secret. */
export interface ApiKey {
  id: string
  name: string
  /** `sk_live_<keyId>`: identifies the key in lists and logs, cannot be used as one. */
  keyPrefix: string
  scopes: string[]
  /** Epoch ms. */
  createdAt: number
  lastUsedAt: number | null
  revokedAt: number | null
}

export interface CreateApiKeyArgs {
  name: string
  scopes: ApiKeyScope[]
}

export interface CreatedApiKey extends ApiKey {
  /** The key itself: the server keeps only its hash, so the console shows it once. */
  secret: string
}
