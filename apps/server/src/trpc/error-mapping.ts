import type { TRPC_ERROR_CODE_KEY } from '@trpc/server'
import type { AppErrorCode } from '@anomalyze/shared'

/** The one mapping from domain error codes to tRPC codes (and so HTTP statuses). */
export const TRPC_CODE_FOR: Record<AppErrorCode, TRPC_ERROR_CODE_KEY> = {
  BAD_INPUT: 'BAD_REQUEST',
  UNAUTHENTICATED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  LIMIT_EXCEEDED: 'TOO_MANY_REQUESTS',
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
}

/**
 * What a client is told about a failure it did not cause (a bug, a database error):
 * nothing but the request id, which finds the logged detail. Internal messages
 * (Prisma's, with source paths and code lines) never leave the server.
 */
export function internalErrorMessage(requestId: string | undefined): string {
  return requestId === undefined ? 'Internal error' : `Internal error; quote request id ${requestId} to support`
}

/** The domain error every internal failure is answered with (tRPC's data.appError, plain routes' error). */
export function internalAppError(requestId: string | undefined) {
  return { code: 'INTERNAL' as const, message: internalErrorMessage(requestId), details: requestId === undefined ? null : { requestId } }
}

/**
 * An unexpected failure while building a request's context (before any procedure
 * runs, so without a context to carry the request id): keeps the id for the error
 * formatter and the original error as `cause` for the log.
 */
export class ContextFailure extends Error {
  override readonly name = 'ContextFailure'

  constructor(
    readonly requestId: string,
    cause: unknown,
  ) {
    super('Building the request context failed', { cause })
  }
}
