import { AppError } from '@anomalyze/shared'
import type { Session } from './session.ts'

/** Refuses a caller without `scope` (API keys carry scopes; user sessions may do everything). */
export function requireScope(session: Session, scope: string): void {
  const { scopes } = session
  if (scopes !== 'all' && !scopes.includes(scope)) {
    throw new AppError('FORBIDDEN', `This key lacks the "${scope}" scope`, { requiredScope: scope })
  }
}
