import type { AuthClient } from './auth-throttle.ts'

/** A member's role in an organisation (what each may do: auth/permissions.ts). */
export const ROLES = ['ADMIN', 'ANALYST', 'VIEWER'] as const
export type Role = (typeof ROLES)[number]

/**
 * The organisation a signed token names, as the identity provider vouches for it:
 * Clerk's `org_id`/`org_role` (v1) or `o.id`/`o.rol` (v2) claims, or a local token's
 * `org` claim. `role` is set only when the provider itself states the role.
 */
export interface OrgClaim {
  id: string
  role?: Role | undefined
  /** A readable name for an organisation seen for the first time (Clerk's slug). */
  name?: string | undefined
}

/** A person who proved who they are; which organisation they act in is resolved next. */
export interface UserIdentity {
  kind: 'user'
  userId: string
  email?: string | undefined
  name?: string | undefined
  via: 'clerk' | 'local'
  /** Absent: the person's own workspace. */
  org?: OrgClaim | undefined
}

/**
 * Who is calling, resolved: the organisation every query is scoped by (`orgId`), the
 * person acting (`userId`; for an API key, the member who created it, when known)
 * and what they may do (`role` for people, `scopes` for API keys).
 */
export interface Session {
  orgId: string
  userId: string | null
  /** The member's role; null for API keys, whose scopes decide instead. */
  role: Role | null
  email?: string | undefined
  name?: string | undefined
  /** How the caller proved it: a Clerk session token, a local-mode token, an API key. */
  via: 'clerk' | 'local' | 'apikey'
  /** Permissions; user sessions may do what their role allows. */
  scopes: readonly string[] | 'all'
  /** Set when the caller used an API key (usage is metered per key). */
  apiKeyId?: string | undefined
}

/** What a verified token says: a person still to be placed in an organisation, or a complete API-key session. */
export type Credential = UserIdentity | (Session & { kind: 'apikey' })

export interface Authenticator {
  /**
   * Verifies a bearer token, or throws AppError('UNAUTHENTICATED'), or
   * AppError('LIMIT_EXCEEDED') when the client's failures are throttled (auth-throttle.ts).
   * `client` (the request) gives the address failures are counted against.
   */
  authenticate(token: string, client?: AuthClient): Promise<Credential>
}
