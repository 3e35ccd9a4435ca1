import type { FastifyRequest } from 'fastify'
import { AppError } from '@anomalyze/shared'
import { authenticateHeader } from '../auth/authenticate-request.ts'
import { authorize, type Permission } from '../auth/permissions.ts'
import type { Authenticator, Session } from '../auth/session.ts'
import type { Db } from '../db/prisma.ts'
import { resolveSession } from '../services/organizations/resolve-session.ts'

/**
 * The caller of a plain HTTP route, authenticated as tRPC authenticates it (a user's
 * Bearer token, or an API key), placed in its organisation and holding `permission`
 * (auth/permissions.ts). Throws the AppError the route answers with (sendAppError,
 * http-errors.ts): no credentials, bad credentials (throttled ones with Retry-After),
 * not a member, a missing role or scope.
 */
export async function authenticateRoute(request: FastifyRequest, db: Db, authenticator: Authenticator, permission: Permission): Promise<Session> {
  const credential = await authenticateHeader(request.headers.authorization, authenticator, request)
  if (!credential) throw new AppError('UNAUTHENTICATED', 'Sign in first: send "Authorization: Bearer <token or API key>"')
  const session = await resolveSession(db, credential)
  authorize(session, permission)
  return session
}
