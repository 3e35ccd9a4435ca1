import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { generateTransactions } from '@anomalyze/shared/engine'
import { TRPCError } from '@trpc/server'
import twilio from 'twilio'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ZodError } from 'zod'
import { startApp, type RunningApp } from '../src/app/start-app.ts'
import { loadEnv } from '../src/env.ts'
import { entitlementsOfPlan } from '../src/services/billing/entitlements.ts'
import { enqueueAnomalyNotifications } from '../src/services/notifications/notify-worker.ts'
import { DEFAULT_PLANS, seedPlans } from '../src/services/billing/plans.ts'
import { callerFor } from './helpers/caller.ts'
import { createUserWithAnomalies } from './helpers/fixtures.ts'
import { testLogger } from './helpers/silent-logger.ts'
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'
import { startTwilioStub, type TwilioStub } from './helpers/twilio-stub.ts'
import { ensurePersonalWorkspace } from '../src/services/organizations/workspaces.ts'

/**
 * The whole path on a running server: settings saved through tRPC, alerts delivered
 * by the pg-boss worker (with a real retry), and Twilio's signed callbacks posted to
 * the server's webhooks: status updates, a key press that acknowledges, forgeries refused.
 */
const SID = `AC${'b2'.repeat(16)}`
const TOKEN = 'webhook-test-auth-token-42'
const USER = 'user_alerts'

describe('notifications on a running server', () => {
  let database: TestDatabase
  let app: RunningApp
  let smtp: SmtpSink
  let stub: TwilioStub
  let anomalyIds: string[]

  beforeAll(async () => {
    database = await createTestDatabase()
    smtp = await startSmtpSink()
    stub = await startTwilioStub(SID, TOKEN)
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'anomalyze-notify-'))
    app = await startApp(
      loadEnv({
        DATABASE_URL: database.url,
        ANOMALYZE_DATA_DIR: dataDir,
        PORT: '0',
        JOB_POLL_SECONDS: '0.5',
        SMTP_HOST: smtp.host,
        SMTP_PORT: String(smtp.port),
        SMTP_TLS_VERIFY: 'false',
        TWILIO_ACCOUNT_SID: SID,
        TWILIO_AUTH_TOKEN: TOKEN,
        TWILIO_FROM_NUMBER: '+14155550100',
        TWILIO_API_BASE_URL: stub.url,
      }),
      testLogger,
    )
    await seedPlans(app.db)
    // Fixture severities cycle LOW, MEDIUM, HIGH, CRITICAL: the fourth is CRITICAL.
    anomalyIds = (await createUserWithAnomalies(app.db, USER, 4)).anomalyIds
    const pro = DEFAULT_PLANS[1]
    await app.db.subscription.create({
      data: { orgId: USER, planId: pro.id, status: 'ACTIVE', features: entitlementsOfPlan({ ...pro, rateLimitPerMinute: 600 }) },
    })
  })
  afterAll(async () => {
    await app.stop()
    await smtp.close()
    await stub.close()
    await database.drop()
  })

  const settings = {
    email: 'alerts@example.com',
    phone: '+919812345678',
    emailEnabled: true,
    smsEnabled: true,
    phoneEnabled: true,
    minSeverityForEmail: 'HIGH',
    minSeverityForSms: 'HIGH',
    minSeverityForCall: 'CRITICAL',
    quietHoursStart: null,
    quietHoursEnd: null,
    timeZone: 'Asia/Kolkata',
    dailyDigest: true,
    monthlyReportEmail: false,
  } as const

  async function fieldErrors(call: Promise<unknown>): Promise<string[]> {
    const error = await call.then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(TRPCError)
    expect((error as TRPCError).code).toBe('BAD_REQUEST')
    return ((error as TRPCError).cause as ZodError).issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
  }

  it('refuses an invalid phone, e-mail, clock or time zone on save, naming the field', async () => {
    const caller = callerFor(app.db, USER)
    expect(await fieldErrors(caller.notifications.updateSettings({ ...settings, phone: '98123 45678' }))).toEqual([
      'phone: enter the number in international E.164 form, e.g. +919812345678',
    ])
    expect(await fieldErrors(caller.notifications.updateSettings({ ...settings, email: 'not-an-address' }))).toEqual(['email: enter a valid e-mail address'])
    const clockAndZone = await fieldErrors(
      caller.notifications.updateSettings({ ...settings, quietHoursStart: '25:00', quietHoursEnd: '07:00', timeZone: 'Mars/Olympus' }),
    )
    expect(clockAndZone).toEqual(['quietHoursStart: use 24-hour "HH:MM", e.g. 22:00', 'timeZone: unknown time zone: use an IANA name such as Asia/Kolkata'])
    expect(await app.db.notificationSettings.count()).toBe(0)
  })

  it('saves valid settings and keeps old and new values in the audit log', async () => {
    const caller = callerFor(app.db, USER)
    expect((await caller.notifications.settings()).phone).toBeNull()
    await caller.notifications.updateSettings({ ...settings, phoneEnabled: false })
    const saved = await caller.notifications.updateSettings(settings)
    expect(saved).toMatchObject({ phone: '+919812345678', phoneEnabled: true, timeZone: 'Asia/Kolkata' })
    const audits = await app.db.auditLog.findMany({ where: { orgId: USER, action: 'notification_settings.update' }, orderBy: { createdAt: 'asc' } })
    expect(audits).toHaveLength(2)
    expect(audits[1]?.oldData).toMatchObject({ phoneEnabled: false })
    expect(audits[1]?.newData).toMatchObject({ phoneEnabled: true })
  })

  it('delivers through the queue, retrying a provider error, then tracks status callbacks and the key press', async () => {
    const critical = anomalyIds[3] as string
    stub.failNext(1)
    await enqueueAnomalyNotifications(app.services.jobs, USER, anomalyIds)
    const rows = await waitFor(async () => {
      const found = await app.db.notificationLog.findMany({ where: { anomalyId: critical } })
      return found.length === 3 && found.every((r) => r.status === 'SENT') ? found : null
    })
    const sms = rows.find((r) => r.channel === 'SMS')
    const call = rows.find((r) => r.channel === 'VOICE')
    // The first Twilio request (the SMS) met a 503: retried by pg-boss on the same row.
    expect(sms?.attempts).toBe(2)
    expect(call?.attempts).toBe(1)
    expect(smtp.messages.filter((m) => m.to.includes('alerts@example.com'))).toHaveLength(2)
    const lowRows = await app.db.notificationLog.findMany({ where: { anomalyId: anomalyIds[0] } })
    expect(lowRows.map((r) => r.status)).toEqual(['SKIPPED', 'SKIPPED', 'SKIPPED'])

    const statusUrl = `${app.url}/webhooks/twilio/status?logId=${sms?.id}`
    const delivered = { MessageSid: sms?.providerMessageId ?? '', MessageStatus: 'delivered', AccountSid: SID, To: '+919812345678' }
    expect((await postSigned(statusUrl, delivered)).status).toBe(200)
    expect(await app.db.notificationLog.findUniqueOrThrow({ where: { id: sms?.id } })).toMatchObject({ status: 'DELIVERED' })

    // Forged or tampered callbacks change nothing.
    const forged = await postSigned(statusUrl, { ...delivered, MessageStatus: 'failed' }, 'not-the-token-at-all')
    expect(forged.status).toBe(403)
    const tampered = await postSigned(statusUrl, delivered, TOKEN, { MessageStatus: 'undelivered' })
    expect(tampered.status).toBe(403)
    const unsigned = await fetch(statusUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(delivered),
    })
    expect(unsigned.status).toBe(403)
    expect(await app.db.notificationLog.findUniqueOrThrow({ where: { id: sms?.id } })).toMatchObject({ status: 'DELIVERED' })

    const ackUrl = `${app.url}/webhooks/twilio/voice/ack?logId=${call?.id}`
    const forgedAck = await postSigned(ackUrl, { CallSid: call?.providerMessageId ?? '', Digits: '1' }, 'wrong-token-wrong-token')
    expect(forgedAck.status).toBe(403)
    expect((await app.db.anomaly.findUniqueOrThrow({ where: { id: critical } })).acknowledgedAt).toBeNull()

    const ack = await postSigned(ackUrl, { CallSid: call?.providerMessageId ?? '', Digits: '1', AccountSid: SID })
    expect(ack.status).toBe(200)
    expect(ack.headers.get('content-type')).toContain('text/xml')
    expect(await ack.text()).toContain('<Say>Acknowledged.')
    expect((await app.db.anomaly.findUniqueOrThrow({ where: { id: critical } })).acknowledgedAt).toBeInstanceOf(Date)
    // The call's completion arrives after the key press: it stays acknowledged.
    const completed = await postSigned(`${app.url}/webhooks/twilio/status?logId=${call?.id}`, {
      CallSid: call?.providerMessageId ?? '',
      CallStatus: 'completed',
    })
    expect(completed.status).toBe(200)
    expect(await app.db.notificationLog.findUniqueOrThrow({ where: { id: call?.id } })).toMatchObject({ status: 'ACKNOWLEDGED' })

    const log = await callerFor(app.db, USER).notifications.deliveries({ anomalyId: critical })
    expect(log.acknowledgedAt).not.toBeNull()
    expect(log.items.map((i) => [i.channel, i.status]).sort()).toEqual([
      ['EMAIL', 'SENT'],
      ['SMS', 'DELIVERED'],
      ['VOICE', 'ACKNOWLEDGED'],
    ])
  })

  it('sends a test message on request to the saved address and number', async () => {
    const caller = callerFor(app.db, USER, {}, app.services)
    const mail = await caller.notifications.sendTest({ channel: 'EMAIL' })
    const received = smtp.messages.find((m) => m.subject === '[Anomalyze] Test alert')
    expect(received?.to).toEqual(['alerts@example.com'])
    expect(mail.providerMessageId).toBe(received?.raw.match(/^Message-ID: (.*)$/im)?.[1]?.trim())
    const sms = await caller.notifications.sendTest({ channel: 'SMS' })
    expect(sms.providerMessageId).toMatch(/^SM/)
    expect(stub.requests.at(-1)?.form).toMatchObject({ To: '+919812345678', Body: 'Anomalyze: this is a test alert.' })
    // Down provider: refused with its own words, nothing half-done.
    stub.failNext(1, 503, 'Service Unavailable')
    await expect(caller.notifications.sendTest({ channel: 'VOICE' })).rejects.toThrow(
      'The provider refused the test: HTTP 503: code 20500: Service Unavailable',
    )
  })

  it('alerts for anomalies that real ingestion creates, one row per anomaly and channel, a burst summarised', async () => {
    const userId = 'user_ingesting'
    await ensurePersonalWorkspace(app.db, { id: userId, name: userId })
    const caller = callerFor(app.db, userId, {}, app.services)
    await caller.notifications.updateSettings({
      ...settings,
      email: 'ingest@example.com',
      phone: null,
      smsEnabled: false,
      phoneEnabled: false,
      minSeverityForEmail: 'LOW',
    })
    const stream = [...generateTransactions({ seed: 11, customers: 60, terminals: 120, days: 20, txIdPrefix: 'alert' })].slice(0, 3_000)
    const anomalyIds: string[] = []
    for (let i = 0; i < stream.length; i += 1_000) {
      const result = await caller.ingest.transactions({ transactions: stream.slice(i, i + 1_000).map((g) => ({ ...g.transaction })) })
      anomalyIds.push(...result.anomalies.map((a) => a.id))
    }
    expect(anomalyIds.length).toBeGreaterThan(6)
    const rows = await waitFor(async () => {
      const found = await app.db.notificationLog.findMany({ where: { orgId: userId } })
      const perAnomaly = found.filter((r) => r.anomalyId !== null)
      return perAnomaly.length === anomalyIds.length * 3 && found.every((r) => r.status !== 'QUEUED') ? found : null
    })
    // Free plan: e-mail only; 5 alerts an hour, then one summary, then nothing more that hour.
    expect(rows.filter((r) => r.channel !== 'EMAIL').every((r) => r.status === 'SKIPPED')).toBe(true)
    const sentMails = smtp.messages.filter((m) => m.to.includes('ingest@example.com'))
    const sentRows = rows.filter((r) => r.channel === 'EMAIL' && r.status === 'SENT')
    expect(sentMails).toHaveLength(sentRows.length)
    expect(sentRows.filter((r) => r.anomalyId !== null)).toHaveLength(5)
    expect(sentRows.filter((r) => r.anomalyId === null)).toHaveLength(1)
  })

  it('answers callbacks carrying NUL or broken text without a 5xx, signed or not, and stores them readably', async () => {
    const row = await app.db.notificationLog.create({ data: { orgId: USER, channel: 'SMS', status: 'SENT', providerMessageId: 'SM_nul_test' } })
    const statusUrl = `${app.url}/webhooks/twilio/status?logId=${row.id}`
    const nasty = { MessageSid: 'SM_nul_test', MessageStatus: 'delivered', ErrorMessage: 'a\u0000b\ud800c', 'Key\u0000': 'x' }
    const post = (url: string, body: string, contentType = 'application/x-www-form-urlencoded', signature = 'bm90LWEtc2lnbmF0dXJl') =>
      fetch(url, { method: 'POST', headers: { 'content-type': contentType, 'x-twilio-signature': signature }, body })
    const unsigned = [
      await post(statusUrl, 'MessageSid=SM_nul_test&MessageStatus=failed&ErrorMessage=%00%ED%A0%80'),
      await post(`${app.url}/webhooks/twilio/status?logId=%00`, 'MessageSid=%00'),
      await post(`${app.url}/webhooks/twilio/voice/ack?logId=${row.id}%00`, 'Digits=%00'),
      await post(statusUrl, '{"MessageSid":"\\u0000","x":{"y":1}}', 'application/json'),
      await post(statusUrl, 'MessageSid=x&'.repeat(10_000)),
    ]
    expect(unsigned.map((r) => r.status)).toEqual([403, 403, 403, 403, 413])
    expect(await app.db.notificationLog.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: 'SENT', metadata: null })

    const signed = await postSigned(statusUrl, nasty)
    expect(signed.status).toBe(200)
    const stored = await app.db.notificationLog.findUniqueOrThrow({ where: { id: row.id } })
    expect(stored.status).toBe('DELIVERED')
    expect(JSON.stringify(stored.metadata)).toContain('a\uFFFDb\uFFFDc')
    const strangeId = await postSigned(`${app.url}/webhooks/twilio/status?logId=${encodeURIComponent('x\u0000y')}`, {
      MessageSid: 'SM_nul_test',
      MessageStatus: 'sent',
    })
    expect(strangeId.status).toBe(200)
    const ack = await postSigned(`${app.url}/webhooks/twilio/voice/ack?logId=${encodeURIComponent('\u0000')}`, { CallSid: '\u0000', Digits: '1' })
    expect(ack.status).toBe(200)
  })

  /** Signs like Twilio does (HMAC-SHA1 over URL + sorted params); `tamper` changes the body after signing. */
  function postSigned(url: string, params: Record<string, string>, token = TOKEN, tamper: Record<string, string> = {}): Promise<Response> {
    const signature = twilio.getExpectedTwilioSignature(token, url, params)
    return fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8', 'x-twilio-signature': signature },
      body: new URLSearchParams({ ...params, ...tamper }),
    })
  }
})

async function waitFor<T>(probe: () => Promise<T | null>): Promise<T> {
  for (let i = 0; i < 240; i += 1) {
    const value = await probe()
    if (value !== null) return value
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error('condition not met within 60 s')
}
