import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../src/db/prisma.ts'
import { loadEnv } from '../src/env.ts'
import { entitlementsOfPlan } from '../src/services/billing/entitlements.ts'
import { createMailer } from '../src/services/email/mailer.ts'
import { deliverNotifications, ProviderErrors, type DeliveryDeps } from '../src/services/notifications/deliver-notifications.ts'
import { alertLinks, webhookUrls } from '../src/services/notifications/notify-worker.ts'
import { sendDailyDigests } from '../src/services/notifications/send-daily-digest.ts'
import { ensurePersonalWorkspace } from '../src/services/organizations/workspaces.ts'
import { createTwilioClient } from '../src/services/twilio/twilio-client.ts'
import { DEFAULT_PLANS, seedPlans } from '../src/services/billing/plans.ts'
import { testLogger } from './helpers/silent-logger.ts'
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'
import { startTwilioStub, type TwilioStub } from './helpers/twilio-stub.ts'

/**
 * Delivery against real protocol servers: nodemailer talks SMTP to smtp-server, the
 * Twilio SDK makes its real REST calls to a loopback stub. Jobs are driven directly
 * (job id, final attempt) so retries and races are exact; notifications-worker.test.ts
 * runs the same path through pg-boss.
 */
const SID = `AC${'a1'.repeat(16)}`
const TOKEN = 'test-auth-token-0123456789'
const PUBLIC = 'http://127.0.0.1:4999'
type Severity = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL'

describe('notification delivery', () => {
  let database: TestDatabase
  let db: Db
  let smtp: SmtpSink
  let stub: TwilioStub
  let deps: DeliveryDeps

  beforeAll(async () => {
    database = await createTestDatabase()
    db = database.db
    await seedPlans(db)
    smtp = await startSmtpSink()
    stub = await startTwilioStub(SID, TOKEN)
    const env = loadEnv({
      SMTP_HOST: smtp.host,
      SMTP_PORT: String(smtp.port),
      SMTP_TLS_VERIFY: 'false',
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_AUTH_TOKEN: TOKEN,
      TWILIO_FROM_NUMBER: '+14155550100',
      TWILIO_API_BASE_URL: stub.url,
    })
    deps = {
      db,
      log: testLogger,
      senders: { mailer: createMailer(env), twilio: createTwilioClient(env) },
      links: alertLinks(() => PUBLIC),
      webhooks: webhookUrls(() => PUBLIC),
      maxPerHour: 3,
    }
  })
  afterAll(async () => {
    deps.senders.mailer?.close()
    await smtp.close()
    await stub.close()
    await database.drop()
  })

  /** A person's own workspace (organisation id = user id) on Pro with every channel on (calls from HIGH), and anomalies of the given severities. */
  async function proUser(severities: Severity[], settings: Record<string, unknown> = {}): Promise<{ orgId: string; anomalyIds: string[]; email: string }> {
    const orgId = `user_${randomUUID().slice(0, 8)}`
    const email = `${orgId}@example.com`
    await ensurePersonalWorkspace(db, { id: orgId, name: orgId })
    const pro = DEFAULT_PLANS[1]
    await db.subscription.create({
      data: { orgId, planId: pro.id, status: 'ACTIVE', features: entitlementsOfPlan({ ...pro, rateLimitPerMinute: 600 }) },
    })
    await db.notificationSettings.create({
      data: { orgId, email, phone: '+919812345678', emailEnabled: true, smsEnabled: true, phoneEnabled: true, minSeverityForCall: 'HIGH', ...settings },
    })
    const anomalyIds: string[] = []
    for (const [i, severity] of severities.entries()) {
      const transaction = await db.transaction.create({
        data: {
          orgId,
          txId: `${orgId}-tx-${i}`,
          timestamp: new Date(),
          amount: 25_000 + i,
          currency: 'INR',
          accountId: 'acct-7',
          merchantId: `M${i}`,
          source: 'REALTIME_API',
        },
      })
      const anomaly = await db.anomaly.create({
        data: {
          orgId,
          transactionId: transaction.id,
          score: 0.9,
          severity,
          ruleViolations: ['AMOUNT_SPIKE'],
          explanation: 'Amount is 40x the account median',
        },
      })
      anomalyIds.push(anomaly.id)
    }
    return { orgId, anomalyIds, email }
  }

  const job = (orgId: string, anomalyIds: string[], jobId = randomUUID(), finalAttempt = false) => ({ jobId, orgId, anomalyIds, finalAttempt })
  const twilioCallsTo = (path: 'Messages' | 'Calls') => stub.requests.filter((r) => r.path === `/2010-04-01/Accounts/${SID}/${path}.json`)
  const mailsTo = (address: string) => smtp.messages.filter((m) => m.to.includes(address))
  const logOf = (orgId: string) => db.notificationLog.findMany({ where: { orgId }, orderBy: [{ channel: 'asc' }, { createdAt: 'asc' }] })

  it('sends e-mail, SMS and a call for one anomaly through the real SMTP and Twilio wire formats', async () => {
    const { orgId, anomalyIds, email } = await proUser(['CRITICAL'])
    const [anomalyId] = anomalyIds as [string]
    const smsBefore = twilioCallsTo('Messages').length
    const callsBefore = twilioCallsTo('Calls').length
    await deliverNotifications(deps, job(orgId, anomalyIds))

    const [mail] = mailsTo(email)
    expect(mail?.subject).toContain('CRITICAL anomaly: INR 25000.00 at M0')
    expect(mail?.decoded).toContain(`anomalyze://anomaly/${anomalyId}`)
    expect(mail?.decoded).toContain(`${PUBLIC}/anomalies/${anomalyId}`)
    expect(mail?.raw).toMatch(/Content-Type: text\/plain/)
    expect(mail?.raw).toMatch(/Content-Type: text\/html/)

    const sms = twilioCallsTo('Messages').slice(smsBefore)
    expect(sms).toHaveLength(1)
    expect(sms[0]?.authorization).toBe(`Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`)
    expect(sms[0]?.contentType).toContain('application/x-www-form-urlencoded')
    expect(sms[0]?.form).toMatchObject({ To: '+919812345678', From: '+14155550100' })
    expect(sms[0]?.form.Body).toContain('CRITICAL anomaly: INR 25000.00 at M0')
    expect(sms[0]?.form.StatusCallback).toMatch(new RegExp(`^${PUBLIC}/webhooks/twilio/status\\?logId=`))

    const calls = twilioCallsTo('Calls').slice(callsBefore)
    expect(calls).toHaveLength(1)
    expect(calls[0]?.form.Twiml).toContain('<Gather numDigits="1" action="http://127.0.0.1:4999/webhooks/twilio/voice/ack?logId=')
    expect(calls[0]?.form.Twiml).toContain('<Say>Anomalyze alert. A critical severity anomaly')
    expect(calls[0]?.form.StatusCallbackEvent).toBe('completed')

    const log = await logOf(orgId)
    expect(log.map((r) => [r.channel, r.status, r.attempts])).toEqual([
      ['EMAIL', 'SENT', 1],
      ['VOICE', 'SENT', 1],
      ['SMS', 'SENT', 1],
    ])
    expect(log.find((r) => r.channel === 'SMS')?.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/)
    expect(log.find((r) => r.channel === 'VOICE')?.providerMessageId).toMatch(/^CA[0-9a-f]{32}$/)
    expect(log.find((r) => r.channel === 'EMAIL')?.providerMessageId).toBe(mail?.raw.match(/^Message-ID: (.*)$/im)?.[1]?.trim())
  })

  it('skips what the gate refuses, logging the reason, and contacts no provider', async () => {
    const { orgId, anomalyIds, email } = await proUser(['LOW'], { smsEnabled: false })
    const before = stub.requests.length
    await deliverNotifications(deps, job(orgId, anomalyIds))
    expect(stub.requests.length).toBe(before)
    expect(mailsTo(email)).toEqual([])
    const log = await logOf(orgId)
    expect(log.map((r) => [r.channel, r.status, r.error])).toEqual([
      ['EMAIL', 'SKIPPED', 'severity LOW is below the e-mail minimum HIGH'],
      ['VOICE', 'SKIPPED', 'severity LOW is below the call minimum HIGH'],
      ['SMS', 'SKIPPED', 'SMS alerts are turned off'],
    ])
  })

  it('sends once per anomaly and channel under retries and concurrent workers', async () => {
    const { orgId, anomalyIds, email } = await proUser(['CRITICAL', 'HIGH'])
    const smsBefore = twilioCallsTo('Messages').length
    const first = job(orgId, anomalyIds)
    // Three workers at once (two jobs for the same anomalies, one of them twice), then a retry.
    await Promise.all([deliverNotifications(deps, first), deliverNotifications(deps, first), deliverNotifications(deps, job(orgId, anomalyIds))])
    await deliverNotifications(deps, first)
    await deliverNotifications(deps, job(orgId, anomalyIds))
    expect(twilioCallsTo('Messages').length - smsBefore).toBe(2)
    expect(mailsTo(email)).toHaveLength(2)
    const log = await logOf(orgId)
    expect(log).toHaveLength(6)
    expect(log.every((r) => r.status === 'SENT' && r.attempts === 1)).toBe(true)
  })

  it('retries after a provider error on the same row, then sends', async () => {
    const { orgId, anomalyIds } = await proUser(['HIGH'], { phoneEnabled: false })
    const first = job(orgId, anomalyIds)
    stub.failNext(1)
    const error = await deliverNotifications(deps, first).then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ProviderErrors)
    expect((error as Error).message).toContain('SMS: HTTP 503')
    const failed = await db.notificationLog.findFirstOrThrow({ where: { orgId, channel: 'SMS' } })
    expect([failed.status, failed.attempts, failed.error]).toEqual(['QUEUED', 1, 'HTTP 503: code 20500: Service Unavailable'])
    // The e-mail went out on the first attempt and is not sent again by the retry.
    expect(await db.notificationLog.findFirstOrThrow({ where: { orgId, channel: 'EMAIL' } })).toMatchObject({ status: 'SENT', attempts: 1 })

    await deliverNotifications(deps, first)
    const sent = await db.notificationLog.findUniqueOrThrow({ where: { id: failed.id } })
    expect([sent.status, sent.attempts, sent.error]).toEqual(['SENT', 2, null])
    expect(await db.notificationLog.count({ where: { orgId } })).toBe(3)
    expect(await db.notificationLog.findFirstOrThrow({ where: { orgId, channel: 'EMAIL' } })).toMatchObject({ attempts: 1 })
  })

  it('sends the rows a job claimed before when its retry is folded into another job', async () => {
    const { orgId, anomalyIds } = await proUser(['HIGH', 'HIGH'], { phoneEnabled: false, emailEnabled: false })
    const [a, b] = anomalyIds as [string, string]
    const first = job(orgId, [a])
    stub.failNext(1)
    await expect(deliverNotifications(deps, first)).rejects.toBeInstanceOf(ProviderErrors)
    const smsBefore = twilioCallsTo('Messages').length
    // The worker fetched the retry together with a newer job for the same user.
    await deliverNotifications(deps, { ...job(orgId, [b]), anomalyIds: [b, a], mergedJobIds: [first.jobId] })
    expect(twilioCallsTo('Messages').length - smsBefore).toBe(2)
    const rows = await db.notificationLog.findMany({ where: { orgId, channel: 'SMS' } })
    expect(rows.map((r) => [r.anomalyId, r.status, r.attempts]).sort()).toEqual(
      [
        [a, 'SENT', 2],
        [b, 'SENT', 1],
      ].sort(),
    )
  })

  it('marks FAILED with the provider error on the last attempt, without throwing', async () => {
    const { orgId, anomalyIds } = await proUser(['CRITICAL'], { emailEnabled: false })
    const only = job(orgId, anomalyIds)
    stub.failNext(2, 500, 'Internal Server Error')
    await expect(deliverNotifications(deps, only)).rejects.toBeInstanceOf(ProviderErrors)
    stub.failNext(2, 500, 'Internal Server Error')
    await deliverNotifications(deps, { ...only, finalAttempt: true })
    const rows = await db.notificationLog.findMany({ where: { orgId, channel: { in: ['SMS', 'VOICE'] } } })
    expect(rows.map((r) => [r.status, r.attempts, r.error])).toEqual([
      ['FAILED', 2, 'HTTP 500: code 20500: Internal Server Error'],
      ['FAILED', 2, 'HTTP 500: code 20500: Internal Server Error'],
    ])
  })

  it('folds a burst past the hourly cap into one summary, and sends nothing more that hour', async () => {
    const { orgId, anomalyIds, email } = await proUser(Array<Severity>(10).fill('HIGH'), { smsEnabled: false, phoneEnabled: false })
    await deliverNotifications(deps, job(orgId, anomalyIds))
    const mails = mailsTo(email)
    expect(mails).toHaveLength(4)
    const summary = mails.find((m) => m.subject.includes('7 anomalies in a burst'))
    expect(summary).toBeDefined()
    const summaryRow = await db.notificationLog.findFirstOrThrow({ where: { orgId, anomalyId: null } })
    expect(summaryRow).toMatchObject({ channel: 'EMAIL', status: 'SENT' })
    const folded = await db.notificationLog.findMany({ where: { orgId, channel: 'EMAIL', status: 'SKIPPED' } })
    expect(folded).toHaveLength(7)
    expect(folded.every((r) => r.error === `hourly cap of 3 reached: folded into summary ${summaryRow.id}`)).toBe(true)
    // Every folded anomaly is named in the summary.
    for (const row of folded) expect(summary?.decoded).toContain(`anomalyze://anomaly/${row.anomalyId}`)

    const more = await proUserAnomalies(orgId, 2)
    await deliverNotifications(deps, job(orgId, more))
    expect(mailsTo(email)).toHaveLength(4)
    const later = await db.notificationLog.findMany({ where: { anomalyId: { in: more }, channel: 'EMAIL' } })
    expect(later.map((r) => r.status)).toEqual(['SKIPPED', 'SKIPPED'])
    expect(later[0]?.error).toMatch(/^hourly cap of 3 reached and a summary already went out at /)
  })

  it('sends one daily digest per user at 08:00 on their own clock', async () => {
    const kolkata = await proUser(['HIGH', 'CRITICAL', 'LOW'], { dailyDigest: true, timeZone: 'Asia/Kolkata' })
    const newYork = await proUser(['HIGH'], { dailyDigest: true, timeZone: 'America/New_York' })
    const digestDeps = { db, log: testLogger, mailer: deps.senders.mailer, links: deps.links }
    // 02:40 UTC is 08:10 in Kolkata and 22:40 (previous day) in New York.
    const at = new Date()
    at.setUTCHours(2, 40, 0, 0)
    await sendDailyDigests(digestDeps, at)
    await sendDailyDigests(digestDeps, new Date(at.getTime() + 10 * 60_000))
    const digests = mailsTo(kolkata.email)
    expect(digests).toHaveLength(1)
    expect(digests[0]?.subject).toMatch(/^\[Anomalyze\] Daily digest \d{4}-\d{2}-\d{2}: 3 anomalies$/)
    expect(digests[0]?.decoded).toContain('CRITICAL: 1, HIGH: 1, MEDIUM: 0, LOW: 1')
    expect(mailsTo(newYork.email)).toEqual([])
    // The digest is not an alert: the hourly allowance is untouched afterwards.
    await deliverNotifications(deps, job(kolkata.orgId, kolkata.anomalyIds))
    expect(await db.notificationLog.count({ where: { orgId: kolkata.orgId, channel: 'EMAIL', status: 'SENT', anomalyId: { not: null } } })).toBe(2)
  })

  async function proUserAnomalies(orgId: string, count: number): Promise<string[]> {
    const ids: string[] = []
    for (let i = 0; i < count; i += 1) {
      const transaction = await db.transaction.create({
        data: {
          orgId,
          txId: `${orgId}-late-${i}`,
          timestamp: new Date(),
          amount: 900,
          currency: 'INR',
          accountId: 'acct-7',
          merchantId: 'M9',
          source: 'REALTIME_API',
        },
      })
      const anomaly = await db.anomaly.create({
        data: { orgId, transactionId: transaction.id, score: 0.8, severity: 'HIGH', ruleViolations: [], explanation: 'late' },
      })
      ids.push(anomaly.id)
    }
    return ids
  }
})
