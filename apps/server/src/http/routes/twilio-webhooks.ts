import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import twilio from 'twilio'
import type { AppServices } from '../../services/service-deps.ts'
import type { Db } from '../../db/prisma.ts'
import { acknowledgeAlertCall, recordTwilioStatus, type CallAcknowledgement, type TwilioForm } from '../../services/notifications/twilio-callbacks.ts'

/**
 * Twilio's callbacks: delivery status of SMS and calls, and the key pressed to
 * acknowledge an alert call. Every request must carry a valid X-Twilio-Signature
 * (HMAC-SHA1 of the public URL plus the sorted form fields, keyed by the auth token);
 * anything else gets 403 and changes nothing. What a callback changes is the
 * notifications service's (twilio-callbacks.ts); this route checks and reads it.
 */
type WebhookRequest = FastifyRequest<{ Querystring: { logId?: string }; Body: TwilioForm }>

const FORM_BODY_LIMIT = 64 * 1024

/** The NotificationLog id a callback names, if it can be one (anything else is an unknown delivery). */
function logIdOf(request: WebhookRequest): string | undefined {
  const logId = request.query.logId
  return typeof logId === 'string' && /^[\w-]{1,64}$/.test(logId) ? logId : undefined
}

/** What the caller hears after pressing (or not pressing) a key. */
const SPOKEN_ANSWER: Record<CallAcknowledgement, string> = {
  'unknown-call': 'This alert could not be found. Please check the console.',
  'no-key-pressed': 'No key was pressed. The alert stays open. Goodbye.',
  acknowledged: 'Acknowledged. Thank you. Goodbye.',
}

export function twilioWebhookRoutes(db: Db, services: AppServices): FastifyPluginAsync {
  return async (app) => {
    // Encapsulated in this plugin: tRPC and other routes keep Fastify's defaults.
    // Twilio's forms are small; a larger body is refused (413) before it is parsed.
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)))
    })

    /** True when signed by Twilio; otherwise answers 403 and logs why. */
    const verified = (request: WebhookRequest, reply: FastifyReply): boolean => {
      const token = services.env.TWILIO_AUTH_TOKEN
      const signature = request.headers['x-twilio-signature']
      const url = `${services.publicUrl()}${request.url}`
      const params = request.body ?? {}
      if (token !== undefined && typeof signature === 'string' && twilio.validateRequest(token, signature, url, params)) return true
      request.log.warn({ url, hasSignature: typeof signature === 'string', configured: token !== undefined }, 'twilio webhook refused: bad signature')
      void reply.code(403).send({ error: 'Invalid Twilio signature' })
      return false
    }

    app.post('/webhooks/twilio/status', async (request: WebhookRequest, reply) => {
      if (!verified(request, reply)) return reply
      await recordTwilioStatus(db, { logId: logIdOf(request), form: request.body }, request.log)
      return reply.code(200).send({ ok: true })
    })

    app.post('/webhooks/twilio/voice/ack', async (request: WebhookRequest, reply) => {
      if (!verified(request, reply)) return reply
      const outcome = await acknowledgeAlertCall(db, { logId: logIdOf(request), form: request.body }, request.log)
      const response = new twilio.twiml.VoiceResponse()
      response.say(SPOKEN_ANSWER[outcome])
      return reply.code(200).header('content-type', 'text/xml').send(response.toString())
    })
  }
}
