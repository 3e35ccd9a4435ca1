import type { Session } from '../auth/session.ts'
import type { RequestMeta } from './context.ts'

/**
 * Who is acting on a request, as audit rows and decision histories name it: a person
 * (by user id) or an API key ("apikey:<keyId>"), with the address and user agent the
 * call came from. Structurally an AuditActor (services/audit/record-audit.ts) and a
 * sync Decider, so routers pass it to services as it is.
 */
export interface ActingPrincipal {
  kind: 'user' | 'apikey'
  /** The account the action belongs to. */
  userId: string
  /** The audit row's actor column: the user id, or "apikey:<keyId>" for a key. */
  actor: string
  /** Shown to people (decision history): the user's name or email, else the user id. */
  name: string
  ip?: string | undefined
  userAgent?: string | undefined
}

export function principalOf(session: Session, request: RequestMeta): ActingPrincipal {
  const viaKey = session.apiKeyId !== undefined
  return {
    kind: viaKey ? 'apikey' : 'user',
    userId: session.userId,
    actor: viaKey ? `apikey:${session.apiKeyId}` : session.userId,
    name: session.name ?? session.email ?? session.userId,
    ip: request.ip,
    userAgent: request.userAgent,
  }
}
