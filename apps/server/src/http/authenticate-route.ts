import type { FastifyRequest } from 'fastify'
import { AppError } from '@anomalyze/shared'
import { authenticateHeader } from '../auth/authenticate-request.ts'
import { requireScope } from '../auth/require-scope.ts'
import type { Authenticator, Session } from '../auth/session.ts'
import type { Db } from '../db/prisma.ts'
import { ensureUser } from '../services/users/ensure-user.ts'

/**
 * The caller of a plain HTTP route, authenticated as tRPC authenticates it (a user's
 * Bearer token, or an API key) and holding `scope`, with its User row in place.
 * Throws the AppError the route answers with (sendAppError, http-errors.ts): no
 * credentials, bad credentials (throttled ones with Retry-After), a missing scope.
 */
export async function authenticateRoute(request: FastifyRequest, db: Db, authenticator: Authenticator, scope: string): Promise<Session> {
  const session = await authenticateHeader(request.headers.authorization, authenticator, request)
  if (!session) throw new AppError('UNAUTHENTICATED', 'Sign in first: send "Authorization: Bearer <token or API key>"')
  requireScope(session, scope)
  await ensureUser(db, session)
  return session
}
