import type { FastifyPluginAsync } from 'fastify'
import type { WebhookDeps } from '../../services/billing/webhook-events.ts'
import { receiveRazorpayWebhook } from '../../services/billing/webhook-events.ts'

/** Razorpay webhook bodies are a few KiB; a larger one is not Razorpay (413 before it is read further). */
const WEBHOOK_BODY_LIMIT = 256 * 1024

/**
 * `POST /webhooks/razorpay`: the signature covers the exact bytes sent, so this
 * plugin keeps the body raw (a content-type parser scoped to this plugin; tRPC's
 * JSON parsing is untouched) and hands it to the billing service, which checks the
 * signature before it parses or stores anything.
 */
export function razorpayWebhookRoutes(deps: WebhookDeps): FastifyPluginAsync {
  return async (app) => {
    app.removeAllContentTypeParsers()
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_request, body, done) => done(null, body))
    app.post('/webhooks/razorpay', async (request, reply) => {
      const header = (name: string): string | undefined => {
        const value = request.headers[name]
        return typeof value === 'string' ? value : undefined
      }
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
      const result = await receiveRazorpayWebhook(
        { ...deps, log: request.log },
        { rawBody, signature: header('x-razorpay-signature'), eventId: header('x-razorpay-event-id') },
      )
      return reply.code(result.statusCode).send(result.body)
    })
  }
}
