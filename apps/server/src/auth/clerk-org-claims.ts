import type { OrgClaim, Role } from './session.ts'

/**
 * Clerk's role keys mapped to ours. `org:admin` and `org:member` are Clerk's defaults;
 * `org:analyst` and `org:viewer` are the custom roles a workspace may define to match
 * ours. Any other key (a custom role we do not know) gets the least: VIEWER.
 */
const CLERK_ROLES: Record<string, Role> = {
  'org:admin': 'ADMIN',
  'org:member': 'ANALYST',
  'org:analyst': 'ANALYST',
  'org:viewer': 'VIEWER',
}

export function roleFromClerk(key: string): Role {
  // Version 2 tokens drop the "org:" prefix (`o.rol` is "admin").
  const normalised = key.startsWith('org:') ? key : `org:${key}`
  return CLERK_ROLES[normalised] ?? 'VIEWER'
}

/**
 * The active organisation a Clerk session token names: `org_id`/`org_role`/`org_slug`
 * in version 1 tokens, the `o` claim ({ id, rol, slg }) in version 2 (`v: 2`). None
 * when the person has no active organisation (they work in their own workspace).
 */
export function orgClaimOf(claims: Record<string, unknown>): OrgClaim | undefined {
  const compact = claims.o
  if (claims.v === 2 || (typeof compact === 'object' && compact !== null)) {
    if (typeof compact !== 'object' || compact === null) return undefined
    const o = compact as Record<string, unknown>
    if (typeof o.id !== 'string' || o.id.length === 0) return undefined
    return { id: o.id, role: typeof o.rol === 'string' ? roleFromClerk(o.rol) : undefined, name: typeof o.slg === 'string' ? o.slg : undefined }
  }
  if (typeof claims.org_id !== 'string' || claims.org_id.length === 0) return undefined
  return {
    id: claims.org_id,
    role: typeof claims.org_role === 'string' ? roleFromClerk(claims.org_role) : undefined,
    name: typeof claims.org_slug === 'string' ? claims.org_slug : undefined,
  }
}
