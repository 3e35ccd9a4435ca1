import type { Role } from '../../auth/session.ts'

/**
 * Who acts on a case: the router's acting principal (trpc/acting-principal.ts) with the
 * caller's role, which decides what an analyst may do and an admin may (hand a held
 * case over, reopen a closed one). Structurally an AuditActor and a sync Decider.
 */
export interface CaseActor {
  orgId: string
  /** The audit row's actor: the user id, or "apikey:<keyId>". */
  actor?: string | undefined
  /** The member acting (null for an API key). */
  userId: string | null
  /** Shown in the timeline. */
  name: string
  /** Null for an API key (which is never an admin). */
  role: Role | null
  ip?: string | undefined
  userAgent?: string | undefined
}
