import type { Mailer } from '../email/mailer.ts'
import { composeEmail, composeSms, composeVoiceTwiml, type AlertAnomaly, type AlertLinks } from './compose-alert.ts'
import type { Channel } from './gate-notification.ts'
import type { TwilioConfig } from '../twilio/twilio-client.ts'

/**
 * One message over one channel through the real provider client. Returns the
 * provider's id and its response as kept in the delivery log; throws the provider's
 * error (the caller retries or records it).
 */
export interface Senders {
  mailer: Mailer | null
  twilio: TwilioConfig | null
}

export interface AlertTarget {
  logId: string
  email: string | null
  phone: string | null
  anomalies: AlertAnomaly[]
}

export interface SendReceipt {
  providerMessageId: string
  response: Record<string, unknown>
}

export interface WebhookUrls {
  status: (logId: string) => string
  voiceAck: (logId: string) => string
}

/** Why a channel cannot send at all on this server (configuration, not the user). */
export function unavailableReason(channel: Channel, senders: Senders): string | null {
  if (channel === 'EMAIL') return senders.mailer === null ? 'e-mail is not configured on this server (SMTP_HOST unset)' : null
  return senders.twilio === null ? 'SMS and calls are not configured on this server (TWILIO_* unset)' : null
}

export async function sendAlert(channel: Channel, target: AlertTarget, senders: Senders, links: AlertLinks, webhooks: WebhookUrls): Promise<SendReceipt> {
  if (channel === 'EMAIL') {
    if (senders.mailer === null || target.email === null) throw new Error('e-mail is not available')
    const content = composeEmail(target.anomalies, links)
    const receipt = await senders.mailer.send({ to: target.email, ...content })
    return { providerMessageId: receipt.messageId, response: { ...receipt } }
  }
  const twilio = senders.twilio
  if (twilio === null || target.phone === null) throw new Error('Twilio is not available')
  if (channel === 'SMS') {
    const message = await twilio.client.messages.create({
      to: target.phone,
      from: twilio.from,
      body: composeSms(target.anomalies, links),
      statusCallback: webhooks.status(target.logId),
    })
    return { providerMessageId: message.sid, response: { sid: message.sid, status: message.status, to: message.to, dateCreated: message.dateCreated } }
  }
  const call = await twilio.client.calls.create({
    to: target.phone,
    from: twilio.from,
    twiml: composeVoiceTwiml(target.anomalies, webhooks.voiceAck(target.logId)),
    statusCallback: webhooks.status(target.logId),
    statusCallbackEvent: ['completed'],
    statusCallbackMethod: 'POST',
  })
  return { providerMessageId: call.sid, response: { sid: call.sid, status: call.status, to: call.to, dateCreated: call.dateCreated } }
}
