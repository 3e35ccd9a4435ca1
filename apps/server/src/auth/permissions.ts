import { AppError } from '@anomalyze/shared'
import type { ApiKeyScope } from '../services/api-keys/api-key-format.ts'
import type { Role, Session } from './session.ts'

/**
 * What each kind of caller may do, in one table: every procedure and plain route names
 * one permission (trpc/init.ts `allowed`, http/authenticate-route.ts), and nothing
 * else decides access.
 *
 * - `minRole`: the least role a member needs (VIEWER < ANALYST < ADMIN).
 * - `scope`: the scope an API key needs; absent means people only (keys never manage
 *   members, keys, billing, notification routing or models).
 */
export const PERMISSIONS = {
  'anomalies:read': { minRole: 'VIEWER', scope: 'anomalies:read' },
  'transactions:read': { minRole: 'VIEWER', scope: 'transactions:read' },
  'models:read': { minRole: 'VIEWER', scope: 'models:read' },
  /** Replays recent transactions through a candidate model: people only (a key would read transactions through it). */
  'models:preview': { minRole: 'VIEWER' },
  'reports:read': { minRole: 'VIEWER', scope: 'anomalies:read' },
  'batch:read': { minRole: 'VIEWER', scope: 'ingest:write' },
  'audit:read': { minRole: 'VIEWER' },
  'billing:read': { minRole: 'VIEWER' },
  'notifications:read': { minRole: 'VIEWER' },
  'members:read': { minRole: 'VIEWER' },
  /** Rules, their versions and hit counts, lists, suppressed alerts: people only (a key would read the detection logic). */
  'rules:read': { minRole: 'VIEWER' },
  /** Cases, their timelines, case settings and team metrics. */
  'cases:read': { minRole: 'VIEWER', scope: 'anomalies:read' },
  /** Decide, label, note, reopen. */
  'anomalies:decide': { minRole: 'ANALYST', scope: 'anomalies:write' },
  /** Score files, upload batches, ingest through a session. */
  'ingest:write': { minRole: 'ANALYST', scope: 'ingest:write' },
  'reports:run': { minRole: 'ANALYST', scope: 'anomalies:read' },
  /** Claim, assign, comment on, change the status of, close, open, merge and split cases. */
  'cases:work': { minRole: 'ANALYST', scope: 'anomalies:write' },
  /** The SLA per priority, round-robin assignment, who is on duty. */
  'cases:manage': { minRole: 'ADMIN' },
  /** Draft rules and backtest them (nothing a draft says reaches detection until published). */
  'rules:draft': { minRole: 'ANALYST' },
  /** Publish and roll back rule sets, and change lists (which apply to the next transaction). */
  'rules:publish': { minRole: 'ADMIN' },
  'members:manage': { minRole: 'ADMIN' },
  'api-keys:manage': { minRole: 'ADMIN' },
  'billing:manage': { minRole: 'ADMIN' },
  'notifications:manage': { minRole: 'ADMIN' },
  'models:manage': { minRole: 'ADMIN' },
} as const satisfies Record<string, { minRole: Role; scope?: ApiKeyScope }>

export type Permission = keyof typeof PERMISSIONS

const RANK: Record<Role, number> = { VIEWER: 0, ANALYST: 1, ADMIN: 2 }

const ROLE_NAME: Record<Role, string> = { VIEWER: 'viewer', ANALYST: 'analyst', ADMIN: 'admin' }

/** Whether the caller may use `permission` (for the console: which controls to offer). */
export function can(session: Pick<Session, 'role' | 'scopes' | 'apiKeyId'>, permission: Permission): boolean {
  const rule: { minRole: Role; scope?: string } = PERMISSIONS[permission]
  if (session.apiKeyId !== undefined || session.role === null) {
    return rule.scope !== undefined && (session.scopes === 'all' || session.scopes.includes(rule.scope))
  }
  return RANK[session.role] >= RANK[rule.minRole]
}

/** Throws FORBIDDEN naming what is missing: the role a member needs, or the scope a key lacks. */
export function authorize(session: Session, permission: Permission): void {
  if (can(session, permission)) return
  const rule: { minRole: Role; scope?: string } = PERMISSIONS[permission]
  if (session.apiKeyId !== undefined || session.role === null) {
    if (rule.scope === undefined) throw new AppError('FORBIDDEN', 'Sign in as a member to do this; API keys cannot', { permission })
    throw new AppError('FORBIDDEN', `This key lacks the "${rule.scope}" scope`, { requiredScope: rule.scope, permission })
  }
  throw new AppError(
    'FORBIDDEN',
    `This needs the ${ROLE_NAME[rule.minRole]} role; you are ${article(session.role)} ${ROLE_NAME[session.role]} in this organisation`,
    {
      permission,
      requiredRole: rule.minRole,
      role: session.role,
    },
  )
}

function article(role: Role): string {
  return role === 'ADMIN' || role === 'ANALYST' ? 'an' : 'a'
}

/** The permissions a caller holds, for the console to show or hide controls. */
export function permissionsOf(session: Session): Permission[] {
  return (Object.keys(PERMISSIONS) as Permission[]).filter((permission) => can(session, permission))
}
