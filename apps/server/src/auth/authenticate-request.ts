import { AppError } from '@anomalyze/shared'
import type { Authenticator, Session } from './session.ts'

/**
 * Reads `Authorization: Bearer <token>` and asks the configured authenticator.
 * No header means an anonymous call (public procedures only); a bad token is an
 * error, never silently anonymous.
 */
export async function authenticateHeader(
  header: string | undefined,
  authenticator: Authenticator,
): Promise<Session | null> {
  if (!header) return null
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim())
  if (!match?.[1]) throw new AppError('UNAUTHENTICATED', 'Authorization header must be "Bearer <token>"')
  return authenticator.authenticate(match[1])
}
