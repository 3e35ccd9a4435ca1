import type { Session } from '../auth/session.ts'
import type { RequestMeta } from './context.ts'

/**
 * Who is acting on a request, as audit rows and decision histories name it: a member
 * (by user id) or an API key ("apikey:<keyId>"), in which organisation, with the
 * address and user agent the call came from. Structurally an AuditActor
 * (services/audit/record-audit.ts) and a sync Decider, so routers pass it to services
 * as it is.
 */
export interface ActingPrincipal {
  kind: 'user' | 'apikey'
  /** The organisation the action belongs to. */
  orgId: string
  /** The person acting: the member, or for an API key the member who created it (null when unknown). */
  userId: string | null
  /** The audit row's actor column: the user id, or "apikey:<keyId>" for a key. */
  actor: string
  /** Shown to people (decision history): the user's name or email, else the user id or key. */
  name: string
  ip?: string | undefined
  userAgent?: string | undefined
}

export function principalOf(session: Session, request: RequestMeta): ActingPrincipal {
  const keyActor = session.apiKeyId !== undefined ? `apikey:${session.apiKeyId}` : null
  const actor = keyActor ?? session.userId ?? session.orgId
  return {
    kind: keyActor ? 'apikey' : 'user',
    orgId: session.orgId,
    userId: keyActor ? null : session.userId,
    actor,
    name: session.name ?? session.email ?? actor,
    ip: request.ip,
    userAgent: request.userAgent,
  }
}
