import type { AuthClient } from './auth-throttle.ts'

/** Who is calling, as established by one of the authenticators. */
export interface Session {
  userId: string
  email?: string | undefined
  name?: string | undefined
  /** How the caller proved it: a Clerk session token, the local-mode token, an API key. */
  via: 'clerk' | 'local' | 'apikey'
  /** Permissions; user sessions may do everything their account may. */
  scopes: readonly string[] | 'all'
  /** Set when the caller used an API key (usage is metered per key). */
  apiKeyId?: string | undefined
}

export interface Authenticator {
  /**
   * Resolves the session for a bearer token, or throws AppError('UNAUTHENTICATED'), or
   * AppError('LIMIT_EXCEEDED') when the client's failures are throttled (auth-throttle.ts).
   * `client` (the request) gives the address failures are counted against.
   */
  authenticate(token: string, client?: AuthClient): Promise<Session>
}
