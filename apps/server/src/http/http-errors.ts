import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify'
import { TRPCError } from '@trpc/server'
import { getHTTPStatusCodeFromError } from '@trpc/server/http'
import { AppError, type AppErrorCode } from '@anomalyze/shared'
import type { Logger } from '../logger.ts'
import { internalAppError, TRPC_CODE_FOR } from '../trpc/error-mapping.ts'

/**
 * How the plain HTTP routes (everything but tRPC) answer errors, in one place:
 * `{ error: { code, message, details } }` with the status tRPC would use for the code.
 *
 * - An AppError a route raises on purpose: its code, message and details.
 * - A 4xx Fastify raises before the route runs (a body that is not JSON, too large,
 *   of a content type the route does not take): that status and a short fixed message.
 * - Anything else: 500, "Internal error; quote request id <id> to support", and the
 *   detail in the log under that request id. Internal messages (Prisma's, with source
 *   paths and code lines) never reach the client.
 *
 * tRPC calls answer the same way in tRPC's envelope (the error formatter in trpc/init.ts).
 */
export interface ErrorBody {
  error: { code: AppErrorCode; message: string; details: unknown }
}

export function statusOfAppError(code: AppErrorCode): number {
  return getHTTPStatusCodeFromError(new TRPCError({ code: TRPC_CODE_FOR[code] }))
}

export function sendAppError(reply: FastifyReply, error: AppError): FastifyReply {
  const body: ErrorBody = { error: { code: error.code, message: error.message, details: error.details ?? null } }
  return reply.code(statusOfAppError(error.code)).send(body)
}

/** Fastify's own refusals, by status: what the client did wrong, in a few words. */
const CLIENT_ERRORS: Record<number, { code: AppErrorCode; message: string }> = {
  400: { code: 'BAD_INPUT', message: 'Bad request: the body or query string could not be read' },
  401: { code: 'UNAUTHENTICATED', message: 'Sign in first' },
  403: { code: 'FORBIDDEN', message: 'Forbidden' },
  404: { code: 'NOT_FOUND', message: 'Not found' },
  405: { code: 'BAD_INPUT', message: 'Method not allowed' },
  406: { code: 'BAD_INPUT', message: 'Not acceptable' },
  408: { code: 'UNAVAILABLE', message: 'The request took too long to arrive' },
  411: { code: 'BAD_INPUT', message: 'Content-Length required' },
  413: { code: 'LIMIT_EXCEEDED', message: 'Request body is too large' },
  414: { code: 'BAD_INPUT', message: 'URL is too long' },
  415: { code: 'BAD_INPUT', message: 'Unsupported content type' },
  429: { code: 'LIMIT_EXCEEDED', message: 'Too many requests' },
  431: { code: 'BAD_INPUT', message: 'Request headers are too large' },
}

function clientError(status: number): { code: AppErrorCode; message: string } {
  return CLIENT_ERRORS[status] ?? { code: 'BAD_INPUT', message: 'Bad request' }
}

/**
 * Installs, on the root instance (before any route: plugins inherit them), the error
 * handler above, a JSON 404 for unknown routes, and the headers every answer carries:
 * `x-request-id`, `x-content-type-options: nosniff` and, unless the route set its own,
 * `cache-control: no-store` (answers are per-user data: no cache or proxy keeps them).
 */
export function installHttpErrorHandling(app: FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>): void {
  app.setErrorHandler((error: FastifyError | AppError | Error, request, reply) => {
    if (error instanceof AppError) return sendAppError(reply, error)
    const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500
    if (status >= 400 && status < 500) {
      request.log.info({ status, code: 'code' in error ? error.code : undefined, message: error.message }, 'request refused')
      const { code, message } = clientError(status)
      const body: ErrorBody = { error: { code, message, details: null } }
      return reply.code(status).send(body)
    }
    request.log.error({ err: error }, 'request failed')
    const body: ErrorBody = { error: internalAppError(String(request.id)) }
    return reply.code(500).send(body)
  })

  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = {
      error: { code: 'NOT_FOUND', message: `No route for ${request.method} ${request.url.split('?')[0]?.slice(0, 200) ?? ''}`, details: null },
    }
    return reply.code(404).send(body)
  })

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id)
    reply.header('x-content-type-options', 'nosniff')
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store')
  })
}
