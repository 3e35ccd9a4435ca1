import { randomUUID } from 'node:crypto'
import { fastifyTRPCPlugin } from '@trpc/server/adapters/fastify'
import Fastify, { LogController, type FastifyReply, type FastifyRequest } from 'fastify'
import type { AppServices } from '../services/service-deps.ts'
import type { Authenticator } from '../auth/session.ts'
import type { Db } from '../db/prisma.ts'
import type { Logger } from '../logger.ts'
import type { LinkSigner } from '../storage/signed-links.ts'
import { trpcHttpOptions } from '../trpc/http-options.ts'
import { installHttpErrorHandling } from './http-errors.ts'
import { batchUploadRoutes } from './routes/batch-upload.ts'
import { directProcedureRoutes } from './routes/direct-procedure-routes.ts'
import { consoleLinkRoutes } from './routes/console-links.ts'
import { fileDownloadRoutes } from './routes/file-downloads.ts'
import { razorpayWebhookRoutes } from './routes/razorpay-webhook.ts'
import { syncPullRoutes } from './routes/sync-pull.ts'
import { twilioWebhookRoutes } from './routes/twilio-webhooks.ts'

export interface ServerDeps {
  db: Db
  log: Logger
  authenticator: Authenticator
  services: AppServices
  linkSigner: LinkSigner
}

/** tRPC requests are small JSON; batch ingestion bodies are the largest (1,000 items). */
const BODY_LIMIT = 8 * 1024 * 1024

/**
 * One line per answered request, "GET /trpc/me.get 200 12 ms", instead of Fastify's two
 * ("incoming request", "request completed"). A console syncing every few seconds makes
 * many successful calls, so those are debug (LOG_LEVEL=debug shows them); an answer of
 * 400 or more is info and a failed response error, so problems stand out in the
 * default log. Query strings are left out: tRPC inputs can hold ids and search text.
 */
class OneLineRequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const path = request.url.split('?', 1)[0] ?? request.url
    const ms = Math.round(reply.elapsedTime)
    const line = { method: request.method, path, statusCode: reply.statusCode, ms }
    if (error) reply.log.error({ ...line, err: error }, `${request.method} ${path} failed after ${ms} ms`)
    else reply.log[reply.statusCode >= 400 ? 'info' : 'debug'](line, `${request.method} ${path} ${reply.statusCode} ${ms} ms`)
  }
}

export async function buildServer(deps: ServerDeps) {
  const app = Fastify({
    loggerInstance: deps.log,
    bodyLimit: BODY_LIMIT,
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID()
    },
    routerOptions: { maxParamLength: 5_000 },
    logController: new OneLineRequestLog(),
  })
  // First, so that every route and plugin below inherits them: one error handler
  // (internal errors answered generically with the request id, the detail logged),
  // JSON 404s, and the headers of every answer (request id, nosniff, no-store).
  installHttpErrorHandling(app)

  app.get('/health', async (_request, reply) => {
    try {
      await deps.db.$queryRaw`SELECT 1`
      return { status: 'ok', database: 'ok' }
    } catch (error) {
      deps.log.error({ err: error }, 'health check: database unreachable')
      return reply.code(503).send({ status: 'error', database: 'unreachable' })
    }
  })

  // Plain HTTP routes: what cannot be tRPC (file downloads, streamed uploads, provider webhooks).
  await app.register(fileDownloadRoutes(deps.services.storage, deps.linkSigner))
  await app.register(consoleLinkRoutes())
  await app.register(batchUploadRoutes(deps.db, deps.services, deps.authenticator))
  await app.register(razorpayWebhookRoutes({ db: deps.db, env: deps.services.env, jobs: deps.services.jobs, log: deps.log }))
  await app.register(twilioWebhookRoutes(deps.db, deps.services))
  await app.register(syncPullRoutes(deps.db, deps.authenticator))

  // The hot procedures first, served directly (same wire format); then all of tRPC.
  await app.register(directProcedureRoutes(deps))
  await app.register(fastifyTRPCPlugin, { prefix: '/trpc', trpcOptions: trpcHttpOptions(deps) })
  return app
}
