import { AppError } from '@anomalyze/shared'
import twilio from 'twilio'
import type { Db } from '../../db/prisma.ts'
import { getEntitlements, hasFeature } from '../billing/entitlements.ts'
import type { Channel } from './gate-notification.ts'
import { getNotificationSettings } from './notification-settings.ts'
import { describeProviderError } from './deliver-notifications.ts'
import type { Senders } from './send-alert.ts'

const FEATURE: Record<Channel, string> = { EMAIL: 'email_alerts', SMS: 'sms_alerts', VOICE: 'voice_alerts' }

/**
 * "Send a test" from the settings screen: one message to the saved address or number,
 * right away, so a user sees that the channel reaches them. Not an alert: it is not
 * in the delivery log and does not count towards the hourly limit.
 */
export async function sendTestAlert(db: Db, senders: Senders, orgId: string, channel: Channel): Promise<{ providerMessageId: string }> {
  const [settings, entitlements] = await Promise.all([getNotificationSettings(db, orgId), getEntitlements(db, orgId)])
  if (!hasFeature(entitlements, FEATURE[channel])) {
    throw new AppError('FORBIDDEN', `The ${entitlements.planName} plan does not include ${FEATURE[channel]}`)
  }
  try {
    if (channel === 'EMAIL') {
      if (settings.email === null) throw new AppError('BAD_INPUT', 'Save an e-mail address first', { field: 'email' })
      const { mailer } = senders
      if (mailer === null) throw new AppError('UNAVAILABLE', 'E-mail is not configured on this server (SMTP_HOST)')
      const receipt = await mailer.send({
        to: settings.email,
        subject: '[Anomalyze] Test alert',
        text: 'This is a test alert from Anomalyze. Real alerts arrive here for anomalies at or above your e-mail minimum severity.\n',
      })
      return { providerMessageId: receipt.messageId }
    }
    if (settings.phone === null) throw new AppError('BAD_INPUT', 'Save a phone number first', { field: 'phone' })
    const client = senders.twilio
    if (client === null) throw new AppError('UNAVAILABLE', 'SMS and calls are not configured on this server (TWILIO_*)')
    if (channel === 'SMS') {
      const message = await client.client.messages.create({ to: settings.phone, from: client.from, body: 'Anomalyze: this is a test alert.' })
      return { providerMessageId: message.sid }
    }
    const response = new twilio.twiml.VoiceResponse()
    response.say('This is a test call from Anomalyze. Real alert calls let you press a key to acknowledge. Goodbye.')
    const call = await client.client.calls.create({ to: settings.phone, from: client.from, twiml: response.toString() })
    return { providerMessageId: call.sid }
  } catch (error) {
    if (error instanceof AppError) throw error
    throw new AppError('UNAVAILABLE', `The provider refused the test: ${describeProviderError(error)}`)
  }
}
