import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { FastifyInstance } from 'fastify'
import type { Logger } from '../logger.ts'
import { authRetryAfterOf } from './authenticate-request.ts'

/**
 * Adds `Retry-After` to the 429 of a request the auth throttle refused (tRPC and plain
 * routes alike: authenticateHeader notes the wait against the request).
 */
export function installRetryAfterHeader(app: FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>): void {
  app.addHook('onSend', async (request, reply, payload) => {
    // tRPC's adapter sends a fetch Response, whose status is applied after this hook.
    const status = payload instanceof Response ? payload.status : reply.statusCode
    if (status === 429 && !reply.hasHeader('retry-after')) {
      const seconds = authRetryAfterOf(request)
      if (seconds !== undefined) void reply.header('retry-after', String(seconds))
    }
    return payload
  })
}
