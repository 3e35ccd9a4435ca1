import type { FastifyPluginAsync } from 'fastify'
import { AppError } from '@anomalyze/shared'
import type { ObjectStore } from '../../storage/object-store.ts'
import type { LinkSigner } from '../../storage/signed-links.ts'

/**
 * `GET /files/<key>?expires=&name=&sig=`: downloads from the local-folder store
 * through a time-limited signed link (see storage/signed-links.ts). S3 deployments
 * hand out S3 presigned URLs instead and never reach this route.
 */
export function fileDownloadRoutes(storage: ObjectStore, signer: LinkSigner): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Params: { '*': string }; Querystring: { expires?: string; name?: string; sig?: string } }>('/files/*', async (request, reply) => {
      const key = request.params['*']
      const { expires, name, sig } = request.query
      const expiresAt = Number(expires)
      if (!Number.isInteger(expiresAt) || name === undefined || sig === undefined || !signer.verify(key, expiresAt, name, sig)) {
        return reply.code(403).send({ error: 'This download link is invalid. Ask the console for a new one.' })
      }
      if (expiresAt < Date.now() / 1000) {
        return reply.code(410).send({ error: 'This download link has expired. Ask the console for a new one.' })
      }
      try {
        const stream = await storage.get(key)
        const type = name.endsWith('.pdf') ? 'application/pdf' : name.endsWith('.csv') ? 'text/csv; charset=utf-8' : 'application/octet-stream'
        return reply
          .header('content-type', type)
          .header('content-disposition', `attachment; filename="${name.replace(/["\\\r\n]/g, '')}"`)
          .send(stream)
      } catch (error) {
        if (error instanceof AppError && error.code === 'NOT_FOUND') return reply.code(404).send({ error: error.message })
        throw error
      }
    })
  }
}
