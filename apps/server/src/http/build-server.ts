import { randomUUID } from 'node:crypto'
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify'
import Fastify from 'fastify'
import { AppError } from '@anomalyze/shared'
import type { AppServices } from '../app/app-services.ts'
import { authenticateHeader } from '../auth/authenticate-request.ts'
import type { Authenticator } from '../auth/session.ts'
import type { Db } from '../db/prisma.ts'
import type { Logger } from '../logger.ts'
import type { LinkSigner } from '../storage/signed-links.ts'
import { recordSignIn } from '../services/audit/record-sign-in.ts'
import { ensureUser } from '../services/users/ensure-user.ts'
import { appRouter, type AppRouter } from '../trpc/app-router.ts'
import type { Context } from '../trpc/context.ts'
import { batchUploadRoutes } from './routes/batch-upload.ts'
import { anomalyLinkRoutes } from './routes/anomaly-links.ts'
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

export async function buildServer(deps: ServerDeps) {
  const app = Fastify({
    loggerInstance: deps.log,
    bodyLimit: BODY_LIMIT,
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID()
    },
    routerOptions: { maxParamLength: 5_000 },
  })
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })

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
  await app.register(anomalyLinkRoutes())
  await app.register(batchUploadRoutes(deps.db, deps.services, deps.authenticator))
  await app.register(razorpayWebhookRoutes({ db: deps.db, env: deps.services.env, jobs: deps.services.jobs, log: deps.log }))
  await app.register(twilioWebhookRoutes(deps.db, deps.services))
  await app.register(syncPullRoutes(deps.db, deps.authenticator))

  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext: async ({ req }): Promise<Context> => {
        const base = {
          db: deps.db,
          services: deps.services,
          log: req.log,
          request: { requestId: String(req.id), ip: req.ip, userAgent: req.headers['user-agent'] },
        }
        try {
          const session = await authenticateHeader(req.headers.authorization, deps.authenticator)
          if (session) await ensureUser(deps.db, session)
          if (session) await recordSignIn(deps.db, session, base.request)
          return { ...base, session, authError: null }
        } catch (error) {
          if (error instanceof AppError) return { ...base, session: null, authError: error }
          throw error
        }
      },
      onError({ error, path, ctx }) {
        const log = ctx?.log ?? deps.log
        if (error.code === 'INTERNAL_SERVER_ERROR') log.error({ err: error.cause ?? error, path }, 'procedure failed')
        else log.info({ code: error.code, path, message: error.message }, 'procedure refused')
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'],
  })
  return app
}
