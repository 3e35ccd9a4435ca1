import type { Channel } from './gate-notification.ts'
import type { Senders } from './send-alert.ts'

/** A channel the settings turn on that this server cannot deliver on. */
export interface ChannelWarning {
  channel: Channel
  message: string
}

const NAME: Record<Channel, string> = { EMAIL: 'E-mail', SMS: 'SMS', VOICE: 'Voice calling' }
const BY: Record<Channel, string> = { EMAIL: 'by e-mail', SMS: 'by SMS', VOICE: 'as calls' }
const SETTING: Record<Channel, string> = { EMAIL: 'SMTP_HOST', SMS: 'TWILIO_*', VOICE: 'TWILIO_*' }

/**
 * Which of the channels the settings use have no provider on this server (no SMTP, no
 * Twilio), so that saving tells the user at once instead of only a Test button later.
 * E-mail counts as used by alerts, the daily digest or the monthly report.
 */
export function channelWarnings(
  settings: { emailEnabled: boolean; smsEnabled: boolean; phoneEnabled: boolean; dailyDigest: boolean; monthlyReportEmail: boolean },
  senders: Senders,
): ChannelWarning[] {
  const used: Record<Channel, boolean> = {
    EMAIL: settings.emailEnabled || settings.dailyDigest || settings.monthlyReportEmail,
    SMS: settings.smsEnabled,
    VOICE: settings.phoneEnabled,
  }
  const configured: Record<Channel, boolean> = { EMAIL: senders.mailer !== null, SMS: senders.twilio !== null, VOICE: senders.twilio !== null }
  return (['EMAIL', 'SMS', 'VOICE'] as const)
    .filter((channel) => used[channel] && !configured[channel])
    .map((channel) => ({
      channel,
      message: `${NAME[channel]} is not configured on this server (${SETTING[channel]}): alerts will not be sent ${BY[channel]}`,
    }))
}
