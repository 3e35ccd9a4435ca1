import type { Readable } from 'node:stream'
import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { AppError } from '@anomalyze/shared'
import type { AppServices } from '../../services/service-deps.ts'
import type { Authenticator } from '../../auth/session.ts'
import type { Db } from '../../db/prisma.ts'
import { createBatchJob } from '../../services/batch/create-batch-job.ts'
import { authenticateRoute } from '../authenticate-route.ts'
import { sendAppError } from '../http-errors.ts'

/**
 * `POST /batch-jobs?fileName=...&map=column=field,...` with the raw CSV as the body:
 * authenticated like tRPC (a user's Bearer token, or an API key with `ingest:write`),
 * streamed into object storage and queued as a batch job. Answers 202 with the job
 * (poll `batchJobs.get` for progress). A plain route because tRPC bodies are parsed
 * JSON held in memory, and a batch file may be a gigabyte.
 */
export function batchUploadRoutes(db: Db, services: AppServices, authenticator: Authenticator): FastifyPluginAsync {
  return async (app) => {
    // Encapsulated in this plugin: the body of every content type stays an unread stream here.
    app.removeAllContentTypeParsers()
    app.addContentTypeParser('*', (_request, payload, done) => done(null, payload))

    app.post<{ Querystring: { fileName?: string; map?: string } }>('/batch-jobs', async (request, reply) => {
      try {
        const session = await authenticateRoute(request, db, authenticator, 'ingest:write')
        const job = await createBatchJob(db, services, request.log, {
          session,
          fileName: request.query.fileName,
          map: request.query.map,
          body: request.raw,
          maxBytes: services.env.BATCH_MAX_UPLOAD_MB * 1024 * 1024,
          request: { ip: request.ip, userAgent: request.headers['user-agent'] },
        })
        return await reply.code(202).send(job)
      } catch (error) {
        if (!(error instanceof AppError)) throw error
        // Refused before the end of the body (too large, bad key): read and discard the
        // rest for a moment, so that the client, still sending, gets this answer rather
        // than a connection reset.
        await discardRest(request.raw, DISCARD_FOR_MS)
        return sendRefusal(reply, error)
      }
    })
  }
}

/** How long a refused upload's remaining body is read and thrown away before the answer. */
const DISCARD_FOR_MS = 5_000

function discardRest(body: Readable, forMs: number): Promise<void> {
  if (body.readableEnded || body.destroyed) return Promise.resolve()
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      body.off('end', done).off('close', done).off('error', done)
      resolve()
    }
    const timer = setTimeout(done, forMs)
    body.on('end', done).on('close', done).on('error', done)
    body.resume()
  })
}

/** The server's AppError answer (http-errors.ts), closing a connection whose body is still coming. */
function sendRefusal(reply: FastifyReply, error: AppError): FastifyReply {
  // The client may still be sending a body we will not read: close rather than drain it.
  if (!reply.request.raw.readableEnded) reply.header('connection', 'close')
  return sendAppError(reply, error)
}
