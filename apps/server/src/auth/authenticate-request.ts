import { AppError } from '@anomalyze/shared'
import { retryAfterSecondsOf, type AuthClient } from './auth-throttle.ts'
import type { Authenticator, Credential } from './session.ts'

/** Seconds to wait, per request refused by the auth throttle (read by installRetryAfterHeader). */
const retryAfterByRequest = new WeakMap<object, number>()

/**
 * Reads `Authorization: Bearer <token>` and asks the configured authenticator.
 * No header means an anonymous call (public procedures only); a bad token is an
 * error, never silently anonymous. `client` is the request: its address is what
 * failed sign-ins are counted against (auth-throttle.ts).
 */
export async function authenticateHeader(header: string | undefined, authenticator: Authenticator, client?: AuthClient): Promise<Credential | null> {
  if (!header) return null
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim())
  if (!match?.[1]) throw new AppError('UNAUTHENTICATED', 'Authorization header must be "Bearer <token>"')
  try {
    return await authenticator.authenticate(match[1], client)
  } catch (error) {
    const seconds = retryAfterSecondsOf(error)
    if (seconds !== null && client !== undefined) retryAfterByRequest.set(client, seconds)
    throw error
  }
}

/** The Retry-After (seconds) owed to a request the auth throttle refused, if any. */
export function authRetryAfterOf(request: object): number | undefined {
  return retryAfterByRequest.get(request)
}
