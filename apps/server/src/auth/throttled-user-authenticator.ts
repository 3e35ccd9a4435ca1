import { AppError } from '@anomalyze/shared'
import type { AuthThrottle } from './auth-throttle.ts'
import type { Authenticator } from './session.ts'

/**
 * User sign-in (local-mode or Clerk tokens) under the auth throttle: a token that
 * fails verification counts against the client's address. Verifying a token costs no
 * bcrypt, so a throttled address still gets in with a valid token; its invalid ones
 * are answered 429 instead of 401 until the window lets it try again.
 */
export function throttleUserTokens(users: Authenticator, throttle: AuthThrottle): Authenticator {
  return {
    async authenticate(token, client) {
      const subject = { address: client?.ip }
      try {
        return await users.authenticate(token, client)
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'UNAUTHENTICATED') throw error
        const wait = throttle.retryAfterMs(subject)
        if (wait > 0) throw throttle.refusal(subject, wait)
        throttle.fail(subject)
        throw error
      }
    },
  }
}
