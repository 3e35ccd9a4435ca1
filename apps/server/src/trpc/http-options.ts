import type { FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify'
import type { FastifyRequest } from 'fastify'
import { AppError } from '@anomalyze/shared'
import type { AppServices } from '../services/service-deps.ts'
import { authenticateHeader } from '../auth/authenticate-request.ts'
import type { Authenticator } from '../auth/session.ts'
import type { Db } from '../db/prisma.ts'
import type { Logger } from '../logger.ts'
import { recordSignIn } from '../services/audit/record-sign-in.ts'
import { resolveSession } from '../services/organizations/resolve-session.ts'
import { appRouter, type AppRouter } from './app-router.ts'
import type { Context } from './context.ts'
import { ContextFailure } from './error-mapping.ts'

export type TrpcHttpOptions = FastifyTRPCPluginOptions<AppRouter>['trpcOptions']

export interface TrpcHttpDeps {
  db: Db
  log: Logger
  authenticator: Authenticator
  services: AppServices
}

/**
 * How tRPC is served over HTTP: the router, the per-request context (the caller's
 * session from `Authorization: Bearer ...`) and error logging. One definition for the
 * tRPC plugin and for the direct routes of hot procedures (direct-procedure-routes.ts),
 * so both see the same context and log the same way.
 */
export function trpcHttpOptions(deps: TrpcHttpDeps): TrpcHttpOptions {
  return {
    router: appRouter,
    createContext: ({ req }) => contextFor(deps, req),
    // The one log of a failed call: the detail an internal error's answer leaves out
    // (see the error formatter in init.ts), under the request's id.
    onError({ error, path, ctx, req }) {
      const log = ctx?.log ?? (req as FastifyRequest | undefined)?.log ?? deps.log
      const cause = error.cause instanceof ContextFailure ? error.cause.cause : error.cause
      if (error.code === 'INTERNAL_SERVER_ERROR') log.error({ err: cause ?? error, path }, 'procedure failed')
      else log.info({ code: error.code, path, message: error.message }, 'procedure refused')
    },
  }
}

/** The tRPC context of one HTTP request: the caller's session, or why it has none. */
export async function contextFor(deps: TrpcHttpDeps, req: FastifyRequest): Promise<Context> {
  const base = {
    db: deps.db,
    services: deps.services,
    log: req.log,
    request: { requestId: String(req.id), ip: req.ip, userAgent: req.headers['user-agent'] },
  }
  try {
    const credential = await authenticateHeader(req.headers.authorization, deps.authenticator, req)
    const session = credential ? await resolveSession(deps.db, credential) : null
    if (session) await recordSignIn(deps.db, session, base.request)
    return { ...base, session, authError: null }
  } catch (error) {
    if (error instanceof AppError) return { ...base, session: null, authError: error }
    // Not the caller's doing (the database is down...): answered as an internal error
    // that names this request's id, the detail logged by onError.
    throw new ContextFailure(base.request.requestId, error)
  }
}
