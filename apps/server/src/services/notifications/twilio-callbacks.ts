import type { Db, Prisma } from '../../db/prisma.ts'
import { storableText } from '../../db/storable-text.ts'
import type { Logger } from '../../logger.ts'

/**
 * What Twilio's callbacks change (http/routes/twilio-webhooks.ts checks the signature
 * and reads the request): the delivery status of SMS and calls, and the alerts
 * acknowledged by a key pressed during an alert call.
 */
export type TwilioForm = Record<string, string>

export interface TwilioCallback {
  /** The NotificationLog id the callback URL names, if it can be one. */
  logId: string | undefined
  /** The signed form's fields, as sent. */
  form: TwilioForm | undefined
}

type CallbackLog = Pick<Logger, 'info' | 'warn'>

const MESSAGE_STATUS: Record<string, 'DELIVERED' | 'FAILED'> = { delivered: 'DELIVERED', failed: 'FAILED', undelivered: 'FAILED' }
const CALL_STATUS: Record<string, 'DELIVERED' | 'FAILED'> = {
  completed: 'DELIVERED',
  busy: 'FAILED',
  'no-answer': 'FAILED',
  failed: 'FAILED',
  canceled: 'FAILED',
}

/**
 * A status callback of an SMS or a call: the delivery's final status (delivered or
 * failed) and the last status form in its metadata. A callback for an unknown delivery
 * (or one whose provider id differs) changes nothing.
 */
export async function recordTwilioStatus(db: Db, callback: TwilioCallback, log: CallbackLog): Promise<void> {
  const form = storableForm(callback.form)
  const { logId } = callback
  const sid = form.MessageSid ?? form.CallSid
  const providerStatus = form.MessageStatus ?? form.CallStatus ?? ''
  const next = (form.MessageSid !== undefined ? MESSAGE_STATUS : CALL_STATUS)[providerStatus]
  const row = logId === undefined ? null : await db.notificationLog.findUnique({ where: { id: logId } })
  if (row === null || (row.providerMessageId !== null && row.providerMessageId !== sid)) {
    log.warn({ logId, sid }, 'twilio status for an unknown delivery')
    return
  }
  const metadata = { ...asObject(row.metadata), lastStatus: form }
  // An acknowledged call stays acknowledged; intermediate states (queued, sent, ringing) only update metadata.
  const changes =
    next !== undefined && row.status !== 'ACKNOWLEDGED' && row.status !== 'SKIPPED'
      ? { status: next, error: next === 'FAILED' ? `Twilio ${providerStatus}${form.ErrorCode ? ` (error ${form.ErrorCode})` : ''}` : row.error }
      : {}
  await db.notificationLog.update({ where: { id: row.id }, data: { ...changes, metadata } })
  log.info({ logId: row.id, sid, providerStatus, status: changes.status ?? row.status }, 'twilio status callback')
}

export type CallAcknowledgement = 'unknown-call' | 'no-key-pressed' | 'acknowledged'

/**
 * A key pressed during an alert call: the delivery is marked acknowledged and so are
 * its anomalies (one, or the digest's list), in one transaction.
 */
export async function acknowledgeAlertCall(db: Db, callback: TwilioCallback, log: CallbackLog): Promise<CallAcknowledgement> {
  const form = storableForm(callback.form)
  const { logId } = callback
  const row = logId === undefined ? null : await db.notificationLog.findUnique({ where: { id: logId } })
  if (row === null || row.channel !== 'VOICE' || (row.providerMessageId !== null && row.providerMessageId !== form.CallSid)) {
    log.warn({ logId, callSid: form.CallSid }, 'twilio acknowledgement for an unknown call')
    return 'unknown-call'
  }
  if (form.Digits === undefined || form.Digits === '') return 'no-key-pressed'
  const anomalyIds = row.anomalyId !== null ? [row.anomalyId] : idsOf(row.metadata)
  const now = new Date()
  await db.$transaction([
    db.notificationLog.update({
      where: { id: row.id },
      data: { status: 'ACKNOWLEDGED', metadata: { ...asObject(row.metadata), acknowledged: { at: now.toISOString(), digits: form.Digits } } },
    }),
    db.anomaly.updateMany({ where: { orgId: row.orgId, id: { in: anomalyIds }, acknowledgedAt: null }, data: { acknowledgedAt: now } }),
  ])
  log.info({ logId: row.id, anomalyIds, callSid: form.CallSid }, 'alert acknowledged by phone')
  return 'acknowledged'
}

/**
 * The signed form's fields as they may be stored: text Postgres cannot hold (a NUL
 * sent as `%00`) becomes U+FFFD. The signature was checked on the fields as sent.
 */
function storableForm(form: TwilioForm | undefined): TwilioForm {
  return Object.fromEntries(Object.entries(form ?? {}).map(([key, value]) => [storableText(key), storableText(String(value))]))
}

function asObject(value: Prisma.JsonValue): Prisma.InputJsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Prisma.InputJsonObject) : {}
}

function idsOf(value: Prisma.JsonValue): string[] {
  const ids = asObject(value).anomalyIds
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : []
}
