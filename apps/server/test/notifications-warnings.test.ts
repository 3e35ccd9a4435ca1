import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadEnv } from '../src/env.ts'
import { createMailer } from '../src/services/email/mailer.ts'
import { channelWarnings } from '../src/services/notifications/channel-warnings.ts'
import { ensurePersonalWorkspace } from '../src/services/organizations/workspaces.ts'
import { callerFor } from './helpers/caller.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'

/**
 * Issue #23, item 4: saving alert settings on a server without SMTP or Twilio saves,
 * and says at once which channels will not deliver (not only when a Test is sent).
 */
describe('notifications: warnings for channels this server cannot deliver on', () => {
  let database: TestDatabase
  const ORG = 'user_warned'

  beforeAll(async () => {
    database = await createTestDatabase()
    await ensurePersonalWorkspace(database.db, { id: ORG, name: ORG })
  })
  afterAll(async () => {
    await database.drop()
  })

  const input = (on: { email: boolean; sms: boolean; voice: boolean }) => ({
    email: 'analyst@example.test',
    phone: '+919812345678',
    emailEnabled: on.email,
    smsEnabled: on.sms,
    phoneEnabled: on.voice,
    minSeverityForEmail: 'HIGH' as const,
    minSeverityForSms: 'HIGH' as const,
    minSeverityForCall: 'CRITICAL' as const,
    quietHoursStart: null,
    quietHoursEnd: null,
    timeZone: 'UTC',
    dailyDigest: false,
    monthlyReportEmail: false,
  })

  it('saves e-mail and SMS on a server with neither, and warns about both with the save and on every read', async () => {
    const caller = callerFor(database.db, ORG)
    const saved = await caller.notifications.updateSettings(input({ email: true, sms: true, voice: false }))
    expect(saved).toMatchObject({ emailEnabled: true, smsEnabled: true })
    expect(saved.warnings).toEqual([
      { channel: 'EMAIL', message: 'E-mail is not configured on this server (SMTP_HOST): alerts will not be sent by e-mail' },
      { channel: 'SMS', message: 'SMS is not configured on this server (TWILIO_*): alerts will not be sent by SMS' },
    ])
    expect(await database.db.notificationSettings.findUniqueOrThrow({ where: { orgId: ORG } })).toMatchObject({ emailEnabled: true, smsEnabled: true })
    expect((await caller.notifications.settings()).warnings.map((w) => w.channel)).toEqual(['EMAIL', 'SMS'])

    const quiet = await caller.notifications.updateSettings(input({ email: false, sms: false, voice: false }))
    expect(quiet.warnings).toEqual([])
  })

  it('warns about e-mail for the digest and monthly report too, and not about a channel the server has', () => {
    const off = { emailEnabled: false, smsEnabled: false, phoneEnabled: true, dailyDigest: true, monthlyReportEmail: false }
    expect(channelWarnings(off, { mailer: null, twilio: null }).map((w) => w.channel)).toEqual(['EMAIL', 'VOICE'])
    const mailer = createMailer(loadEnv({ SMTP_HOST: '127.0.0.1', SMTP_PORT: '2525' }))
    expect(mailer).not.toBeNull()
    expect(channelWarnings(off, { mailer, twilio: null })).toEqual([
      { channel: 'VOICE', message: 'Voice calling is not configured on this server (TWILIO_*): alerts will not be sent as calls' },
    ])
    mailer?.close()
  })
})
