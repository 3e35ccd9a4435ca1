import type { AppRouter } from '@anomalyze/server/router'
import type { inferRouterOutputs } from '@trpc/server'

/** The server's permission names, as `me.get` lists them (type only: nothing of the server is bundled). */
export type Permission = inferRouterOutputs<AppRouter>['me']['get']['permissions'][number]

export const ROLES = ['ADMIN', 'ANALYST', 'VIEWER'] as const
export type Role = (typeof ROLES)[number]

export interface OrgMembership {
  id: string
  name: string
  personal: boolean
  /** Null when the console signed in with an API key (keys have scopes, not roles). */
  role: Role | null
}

/**
 * Who the console is signed in as: the person, the organisation they act in with their
 * role, what that role lets them do, and the other organisations they belong to.
 * `org`, `permissions` and `organizations` are null when the server predates teams.
 */
export interface Profile {
  id: string
  email: string | null
  name: string | null
  mode: 'local' | 'clerk' | 'apikey'
  org: OrgMembership | null
  permissions: Permission[] | null
  organizations: OrgMembership[]
}

export interface ProfileAnswer {
  /** Null when signed out. */
  profile: Profile | null
  /** False when the server could not be asked and this is what it said last time. */
  fresh: boolean
}

/**
 * The least role each permission needs, for the reason shown beside a control the
 * caller may not use. The server's auth/permissions.ts decides; this copy only words the
 * refusal, and `Record<Permission, …>` makes a permission added there a type error here.
 */
export const PERMISSION_NEEDS: Record<Permission, { role: Role; doing: string }> = {
  'anomalies:read': { role: 'VIEWER', doing: 'reading alerts' },
  'transactions:read': { role: 'VIEWER', doing: 'reading transactions' },
  'models:read': { role: 'VIEWER', doing: 'reading models' },
  'models:preview': { role: 'VIEWER', doing: 'previewing a candidate model' },
  'reports:read': { role: 'VIEWER', doing: 'reading reports' },
  'batch:read': { role: 'VIEWER', doing: 'reading batch jobs' },
  'audit:read': { role: 'VIEWER', doing: 'reading the audit trail' },
  'billing:read': { role: 'VIEWER', doing: 'reading billing' },
  'notifications:read': { role: 'VIEWER', doing: 'reading alert settings' },
  'members:read': { role: 'VIEWER', doing: 'reading the member list' },
  'cases:read': { role: 'VIEWER', doing: 'reading cases' },
  'rules:read': { role: 'VIEWER', doing: 'reading rules' },
  'rules:draft': { role: 'ANALYST', doing: 'drafting and backtesting rules' },
  'rules:publish': { role: 'ADMIN', doing: 'publishing rules and changing lists' },
  'anomalies:decide': { role: 'ANALYST', doing: 'deciding' },
  'ingest:write': { role: 'ANALYST', doing: 'scoring files' },
  'reports:run': { role: 'ANALYST', doing: 'running reports' },
  'cases:work': { role: 'ANALYST', doing: 'working cases' },
  'members:manage': { role: 'ADMIN', doing: 'managing members' },
  'cases:manage': { role: 'ADMIN', doing: 'changing case settings' },
  'api-keys:manage': { role: 'ADMIN', doing: 'managing API keys' },
  'billing:manage': { role: 'ADMIN', doing: 'changing the plan' },
  'notifications:manage': { role: 'ADMIN', doing: 'changing alert settings' },
  'models:manage': { role: 'ADMIN', doing: 'activating models' },
}

export const ROLE_NAME: Record<Role, string> = { ADMIN: 'admin', ANALYST: 'analyst', VIEWER: 'viewer' }

/**
 * Whether the profile allows `permission`. Signed out, or a server that does not list
 * permissions: allowed (the console works on local data, and the server still decides).
 */
export function allows(profile: Profile | null, permission: Permission): boolean {
  return profile?.permissions == null || profile.permissions.includes(permission)
}

/**
 * Why a control is off, in the words shown beside it ("Viewers can read; deciding needs
 * the analyst role"), or null when the profile allows it.
 */
export function refusalReason(profile: Profile | null, permission: Permission): string | null {
  if (allows(profile, permission)) return null
  const need = PERMISSION_NEEDS[permission]
  const doing = need.doing.charAt(0).toUpperCase() + need.doing.slice(1)
  const role = profile?.org?.role ?? null
  if (role === null) return `${doing} needs a member's sign-in; the API key this console uses cannot`
  if (role === 'VIEWER') return `Viewers can read; ${need.doing} needs the ${ROLE_NAME[need.role]} role`
  return `${doing} needs the ${ROLE_NAME[need.role]} role; you are ${role === 'ADMIN' ? 'an admin' : 'an analyst'} in ${profile?.org?.name ?? 'this organisation'}`
}
