import type { Entitlements } from '../billing/entitlements.ts'
import { hasFeature } from '../billing/entitlements.ts'

/**
 * Decides, without any I/O, which channels an anomaly may use: the plan, the user's
 * switches and thresholds, and quiet hours in the user's own time zone. Every "no"
 * carries a sentence for the delivery log, so a user can see why nothing came.
 */
export type Channel = 'EMAIL' | 'SMS' | 'VOICE'
export type SeverityLevel = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL'

export const CHANNELS: readonly Channel[] = ['EMAIL', 'SMS', 'VOICE']
const RANK: Record<SeverityLevel, number> = { LOW: 0, MEDIUM: 1, HIGH: 2, CRITICAL: 3 }

export function severityAtLeast(severity: SeverityLevel, minimum: SeverityLevel): boolean {
  return RANK[severity] >= RANK[minimum]
}

export interface GateSettings {
  email: string | null
  phone: string | null
  emailEnabled: boolean
  smsEnabled: boolean
  phoneEnabled: boolean
  minSeverityForEmail: SeverityLevel
  minSeverityForSms: SeverityLevel
  minSeverityForCall: SeverityLevel
  quietHoursStart: string | null
  quietHoursEnd: string | null
  timeZone: string
}

export type GateDecision = { channel: Channel; send: true } | { channel: Channel; send: false; reason: string }

const FEATURE_OF: Record<Channel, string> = { EMAIL: 'email_alerts', SMS: 'sms_alerts', VOICE: 'voice_alerts' }

export function gateNotification(settings: GateSettings, entitlements: Entitlements, severity: SeverityLevel, now: Date): GateDecision[] {
  return CHANNELS.map((channel) => {
    const reason = refusalFor(channel, settings, entitlements, severity, now)
    return reason === null ? { channel, send: true } : { channel, send: false, reason }
  })
}

function refusalFor(channel: Channel, s: GateSettings, e: Entitlements, severity: SeverityLevel, now: Date): string | null {
  if (!hasFeature(e, FEATURE_OF[channel])) return `the ${e.planName} plan does not include ${FEATURE_OF[channel]}`
  if (channel === 'EMAIL') {
    if (!s.emailEnabled) return 'e-mail alerts are turned off'
    if (s.email === null) return 'no e-mail address is set'
    if (!severityAtLeast(severity, s.minSeverityForEmail)) return `severity ${severity} is below the e-mail minimum ${s.minSeverityForEmail}`
    // E-mail waits in the inbox and wakes nobody, so quiet hours do not hold it back.
    return null
  }
  if (s.phone === null) return 'no phone number is set'
  if (channel === 'SMS') {
    if (!s.smsEnabled) return 'SMS alerts are turned off'
    if (!severityAtLeast(severity, s.minSeverityForSms)) return `severity ${severity} is below the SMS minimum ${s.minSeverityForSms}`
  } else {
    if (!s.phoneEnabled) return 'voice calls are turned off (phoneEnabled)'
    if (!severityAtLeast(severity, s.minSeverityForCall)) return `severity ${severity} is below the call minimum ${s.minSeverityForCall}`
  }
  if (severity !== 'CRITICAL' && inQuietHours(s, now)) {
    return `quiet hours ${s.quietHoursStart}-${s.quietHoursEnd} (${s.timeZone}); only CRITICAL rings through`
  }
  return null
}

/** True when `now`, read on the wall clock of `timeZone`, falls in [start, end); spans midnight when end < start. */
export function inQuietHours(s: Pick<GateSettings, 'quietHoursStart' | 'quietHoursEnd' | 'timeZone'>, now: Date): boolean {
  if (s.quietHoursStart === null || s.quietHoursEnd === null) return false
  const start = minutesOf(s.quietHoursStart)
  const end = minutesOf(s.quietHoursEnd)
  if (start === end) return false
  const local = localMinutes(now, s.timeZone)
  return start < end ? local >= start && local < end : local >= start || local < end
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':')
  return Number(h) * 60 + Number(m)
}

function localMinutes(now: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now)
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0)
  const minute = Number(parts.find((p) => p.type === 'minute')?.value ?? 0)
  return hour * 60 + minute
}

/** An IANA zone name the runtime knows (Intl throws a RangeError for anything else). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone })
    return true
  } catch {
    return false
  }
}
