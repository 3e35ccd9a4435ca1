import { verifyToken } from '@clerk/backend'
import { AppError } from '@anomalyze/shared'
import { orgClaimOf } from './clerk-org-claims.ts'
import type { Authenticator, UserIdentity } from './session.ts'

export interface ClerkOptions {
  /** PEM public key of the Clerk instance: verification needs no network call. */
  jwtKey: string
  issuer?: string | undefined
  authorizedParties?: string[] | undefined
}

/**
 * Verifies Clerk session tokens (RS256) with Clerk's own SDK, networklessly. The
 * token's active organisation and role (clerk-org-claims.ts) say where the person works;
 * services/organizations/resolve-session.ts places them there.
 */
export function createClerkAuthenticator(options: ClerkOptions): Authenticator {
  return {
    async authenticate(token: string): Promise<UserIdentity> {
      let claims: Awaited<ReturnType<typeof verifyToken>>
      try {
        claims = await verifyToken(token, {
          jwtKey: options.jwtKey,
          ...(options.issuer ? { issuer: options.issuer } : {}),
          ...(options.authorizedParties ? { authorizedParties: options.authorizedParties } : {}),
        })
      } catch (error) {
        // Clerk's TokenVerificationError says which check failed (expired, signature, azp...).
        const reason = error instanceof Error ? error.message : String(error)
        throw new AppError('UNAUTHENTICATED', `Clerk session token rejected: ${reason}`)
      }
      if (typeof claims.sub !== 'string' || claims.sub.length === 0) {
        throw new AppError('UNAUTHENTICATED', 'Clerk session token has no subject')
      }
      const email = typeof claims.email === 'string' ? claims.email : undefined
      const name = typeof claims.name === 'string' ? claims.name : undefined
      return { kind: 'user', userId: claims.sub, email, name, via: 'clerk', org: orgClaimOf(claims) }
    },
  }
}
