import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import twilio from 'twilio'
import type { AppServices } from '../../services/service-deps.ts'
import type { Db, Prisma } from '../../db/prisma.ts'
import { storableText } from '../../db/storable-text.ts'

/**
 * Twilio's callbacks: delivery status of SMS and calls, and the key pressed to
 * acknowledge an alert call. Every request must carry a valid X-Twilio-Signature
 * (HMAC-SHA1 of the public URL plus the sorted form fields, keyed by the auth token);
 * anything else gets 403 and changes nothing.
 */
type Form = Record<string, string>
type WebhookRequest = FastifyRequest<{ Querystring: { logId?: string }; Body: Form }>

const FORM_BODY_LIMIT = 64 * 1024

/** The NotificationLog id a callback names, if it can be one (anything else is an unknown delivery). */
function logIdOf(request: WebhookRequest): string | undefined {
  const logId = request.query.logId
  return typeof logId === 'string' && /^[\w-]{1,64}$/.test(logId) ? logId : undefined
}

/**
 * The signed form's fields as they may be stored: text Postgres cannot hold (a NUL
 * sent as `%00`) becomes U+FFFD. The signature is checked on the fields as sent.
 */
function storableForm(form: Form | undefined): Form {
  return Object.fromEntries(Object.entries(form ?? {}).map(([key, value]) => [storableText(key), storableText(String(value))]))
}

const MESSAGE_STATUS: Record<string, 'DELIVERED' | 'FAILED'> = { delivered: 'DELIVERED', failed: 'FAILED', undelivered: 'FAILED' }
const CALL_STATUS: Record<string, 'DELIVERED' | 'FAILED'> = {
  completed: 'DELIVERED',
  busy: 'FAILED',
  'no-answer': 'FAILED',
  failed: 'FAILED',
  canceled: 'FAILED',
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
      const form = storableForm(request.body)
      const logId = logIdOf(request)
      const sid = form.MessageSid ?? form.CallSid
      const providerStatus = form.MessageStatus ?? form.CallStatus ?? ''
      const next = (form.MessageSid !== undefined ? MESSAGE_STATUS : CALL_STATUS)[providerStatus]
      const row = logId === undefined ? null : await db.notificationLog.findUnique({ where: { id: logId } })
      if (row === null || (row.providerMessageId !== null && row.providerMessageId !== sid)) {
        request.log.warn({ logId, sid }, 'twilio status for an unknown delivery')
        return reply.code(200).send({ ok: true })
      }
      const metadata = { ...asObject(row.metadata), lastStatus: form }
      // An acknowledged call stays acknowledged; intermediate states (queued, sent, ringing) only update metadata.
      const changes =
        next !== undefined && row.status !== 'ACKNOWLEDGED' && row.status !== 'SKIPPED'
          ? { status: next, error: next === 'FAILED' ? `Twilio ${providerStatus}${form.ErrorCode ? ` (error ${form.ErrorCode})` : ''}` : row.error }
          : {}
      await db.notificationLog.update({ where: { id: row.id }, data: { ...changes, metadata } })
      request.log.info({ logId: row.id, sid, providerStatus, status: changes.status ?? row.status }, 'twilio status callback')
      return reply.code(200).send({ ok: true })
    })

    app.post('/webhooks/twilio/voice/ack', async (request: WebhookRequest, reply) => {
      if (!verified(request, reply)) return reply
      const form = storableForm(request.body)
      const logId = logIdOf(request)
      const row = logId === undefined ? null : await db.notificationLog.findUnique({ where: { id: logId } })
      const response = new twilio.twiml.VoiceResponse()
      if (row === null || row.channel !== 'VOICE' || (row.providerMessageId !== null && row.providerMessageId !== form.CallSid)) {
        request.log.warn({ logId, callSid: form.CallSid }, 'twilio acknowledgement for an unknown call')
        response.say('This alert could not be found. Please check the console.')
      } else if (form.Digits === undefined || form.Digits === '') {
        response.say('No key was pressed. The alert stays open. Goodbye.')
      } else {
        const anomalyIds = row.anomalyId !== null ? [row.anomalyId] : idsOf(row.metadata)
        const now = new Date()
        await db.$transaction([
          db.notificationLog.update({
            where: { id: row.id },
            data: { status: 'ACKNOWLEDGED', metadata: { ...asObject(row.metadata), acknowledged: { at: now.toISOString(), digits: form.Digits } } },
          }),
          db.anomaly.updateMany({ where: { userId: row.userId, id: { in: anomalyIds }, acknowledgedAt: null }, data: { acknowledgedAt: now } }),
        ])
        request.log.info({ logId: row.id, anomalyIds, callSid: form.CallSid }, 'alert acknowledged by phone')
        response.say('Acknowledged. Thank you. Goodbye.')
      }
      return reply.code(200).header('content-type', 'text/xml').send(response.toString())
    })
  }
}

function asObject(value: Prisma.JsonValue): Prisma.InputJsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Prisma.InputJsonObject) : {}
}

function idsOf(value: Prisma.JsonValue): string[] {
  const ids = asObject(value).anomalyIds
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : []
}
