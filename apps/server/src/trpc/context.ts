import type { AppError } from '@anomalyze/shared'
import type { AppServices } from '../services/service-deps.ts'
import type { Session } from '../auth/session.ts'
import type { Db } from '../db/prisma.ts'
import type { FastifyBaseLogger } from 'fastify'

export interface RequestMeta {
  requestId: string
  ip?: string | undefined
  userAgent?: string | undefined
}

export interface Context {
  db: Db
  services: AppServices
  /** Request-scoped logger (carries the request id). */
  log: FastifyBaseLogger
  session: Session | null
  /** Set when the request carried credentials that failed: reported by protected procedures. */
  authError: AppError | null
  request: RequestMeta
}

/** Transport-free context: what tests pass to `createCaller`. */
export function createContextInner(input: {
  db: Db
  services: AppServices
  log: FastifyBaseLogger
  session?: Session | null
  authError?: AppError | null
  request?: Partial<RequestMeta>
}): Context {
  return {
    db: input.db,
    services: input.services,
    log: input.log,
    session: input.session ?? null,
    authError: input.authError ?? null,
    request: { requestId: input.request?.requestId ?? 'internal', ...input.request },
  }
}
