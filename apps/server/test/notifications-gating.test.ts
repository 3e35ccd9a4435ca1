import { describe, expect, it } from 'vitest'
import { entitlementsOfPlan, FREE_ENTITLEMENTS } from '../src/services/billing/entitlements.ts'
import { gateNotification, inQuietHours, type GateSettings, type SeverityLevel } from '../src/services/notifications/gate-notification.ts'
import { DEFAULT_PLANS } from '../src/services/billing/plans.ts'

/** The pure gate: plan, switches, thresholds and quiet hours decide each channel, with a reason for every "no". */
const PRO = entitlementsOfPlan({ ...DEFAULT_PLANS[1], rateLimitPerMinute: 600 })

const everythingOn: GateSettings = {
  email: 'analyst@example.com',
  phone: '+919812345678',
  emailEnabled: true,
  smsEnabled: true,
  phoneEnabled: true,
  minSeverityForEmail: 'MEDIUM',
  minSeverityForSms: 'HIGH',
  minSeverityForCall: 'CRITICAL',
  quietHoursStart: null,
  quietHoursEnd: null,
  timeZone: 'UTC',
}
const noon = new Date('2026-03-10T12:00:00Z')

function sends(settings: GateSettings, severity: SeverityLevel, at = noon, plan = PRO): Record<string, string | true> {
  return Object.fromEntries(gateNotification(settings, plan, severity, at).map((d) => [d.channel, d.send ? true : d.reason]))
}

describe('notification gating', () => {
  it('follows the severity thresholds of each channel', () => {
    const matrix = (['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const).map((severity) => {
      const decisions = sends(everythingOn, severity)
      return [severity, decisions.EMAIL === true, decisions.SMS === true, decisions.VOICE === true]
    })
    expect(matrix).toEqual([
      ['LOW', false, false, false],
      ['MEDIUM', true, false, false],
      ['HIGH', true, true, false],
      ['CRITICAL', true, true, true],
    ])
    expect(sends(everythingOn, 'HIGH').VOICE).toBe('severity HIGH is below the call minimum CRITICAL')
  })

  it('calls only with the voice_alerts entitlement and phoneEnabled', () => {
    expect(sends(everythingOn, 'CRITICAL', noon, FREE_ENTITLEMENTS)).toEqual({
      EMAIL: true,
      SMS: 'the Free plan does not include sms_alerts',
      VOICE: 'the Free plan does not include voice_alerts',
    })
    expect(sends({ ...everythingOn, phoneEnabled: false }, 'CRITICAL').VOICE).toBe('voice calls are turned off (phoneEnabled)')
    expect(sends({ ...everythingOn, phone: null }, 'CRITICAL')).toMatchObject({ SMS: 'no phone number is set', VOICE: 'no phone number is set' })
    expect(sends({ ...everythingOn, emailEnabled: false }, 'CRITICAL').EMAIL).toBe('e-mail alerts are turned off')
  })

  it('holds SMS and calls in quiet hours of the user time zone, except CRITICAL', () => {
    // 22:00-07:00 in Kolkata (UTC+5:30): 18:00 UTC is 23:30 there, 12:00 UTC is 17:30.
    const quiet: GateSettings = { ...everythingOn, minSeverityForCall: 'HIGH', quietHoursStart: '22:00', quietHoursEnd: '07:00', timeZone: 'Asia/Kolkata' }
    const lateEvening = new Date('2026-03-10T18:00:00Z')
    expect(sends(quiet, 'HIGH', lateEvening)).toEqual({
      EMAIL: true,
      SMS: 'quiet hours 22:00-07:00 (Asia/Kolkata); only CRITICAL rings through',
      VOICE: 'quiet hours 22:00-07:00 (Asia/Kolkata); only CRITICAL rings through',
    })
    expect(sends(quiet, 'CRITICAL', lateEvening)).toEqual({ EMAIL: true, SMS: true, VOICE: true })
    expect(sends(quiet, 'HIGH', noon)).toEqual({ EMAIL: true, SMS: true, VOICE: true })
  })

  it('reads quiet hours on the wall clock of the zone, across midnight and daylight saving', () => {
    const overnight = { quietHoursStart: '22:00', quietHoursEnd: '07:00', timeZone: 'America/New_York' }
    // New York: 02:30 UTC on 1 March is 21:30 EST (not quiet); on 1 July 02:30 UTC is 22:30 EDT (quiet).
    expect(inQuietHours(overnight, new Date('2026-03-01T02:30:00Z'))).toBe(false)
    expect(inQuietHours(overnight, new Date('2026-07-01T02:30:00Z'))).toBe(true)
    expect(inQuietHours(overnight, new Date('2026-07-01T10:59:00Z'))).toBe(true)
    expect(inQuietHours(overnight, new Date('2026-07-01T11:00:00Z'))).toBe(false)
    const daytime = { quietHoursStart: '09:00', quietHoursEnd: '17:00', timeZone: 'UTC' }
    expect(inQuietHours(daytime, new Date('2026-07-01T08:59:00Z'))).toBe(false)
    expect(inQuietHours(daytime, new Date('2026-07-01T09:00:00Z'))).toBe(true)
    expect(inQuietHours({ ...daytime, quietHoursStart: null }, new Date('2026-07-01T12:00:00Z'))).toBe(false)
  })
})
