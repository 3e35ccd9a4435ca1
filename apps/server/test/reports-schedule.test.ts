import { PDFParse } from 'pdf-parse'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { emailSummaryIfOptedIn } from '../src/services/reports/email-summary.ts'
import { registerReportWorkers } from '../src/services/reports/register-report-workers.ts'
import { previousMonth } from '../src/services/reports/report-parameters.ts'
import { MONTHLY_SUMMARIES_QUEUE, MONTHLY_SUMMARY_CRON } from '../src/services/reports/report-queues.ts'
import { fanOutMonthlySummaries } from '../src/services/reports/schedule-monthly-summaries.ts'
import { readSummaryFigures } from '../src/services/reports/summary-figures.ts'
import { testLogger } from './helpers/silent-logger.ts'
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'
import { createTestServices, type TestServices } from './helpers/test-services.ts'
import { insertGeneratedAnomalies } from './reports-fixtures.ts'
import { ensurePersonalWorkspace } from '../src/services/organizations/workspaces.ts'

/**
 * The monthly run: the cron schedule is stored in pg-boss, the fan-out creates one
 * summary per user (once), the worker generates each PDF, and the user who opted in
 * receives it as an attachment over real SMTP (nodemailer to smtp-server on loopback).
 */
describe('reports: monthly schedule and e-mail', () => {
  let database: TestDatabase
  let services: TestServices
  let sink: SmtpSink

  beforeAll(async () => {
    database = await createTestDatabase()
    sink = await startSmtpSink()
    services = await createTestServices({
      databaseUrl: database.url,
      env: { SMTP_HOST: sink.host, SMTP_PORT: String(sink.port), SMTP_TLS_VERIFY: 'false' },
    })
    await registerReportWorkers({ ...services, db: database.db, log: testLogger })
    await insertGeneratedAnomalies(database.db, 'user_opted', 500)
    await database.db.notificationSettings.create({ data: { orgId: 'user_opted', email: 'opted@example.test', monthlyReportEmail: true } })
    await ensurePersonalWorkspace(database.db, { id: 'user_quiet', email: 'quiet@example.test' })
  })
  afterAll(async () => {
    await services.close()
    await sink.close()
    await database.drop()
  })

  it('summarises the month before the one the schedule fires in', () => {
    expect(previousMonth(new Date('2026-03-01T02:00:00Z'))).toBe('2026-02')
    expect(previousMonth(new Date('2026-01-01T02:00:00Z'))).toBe('2025-12')
  })

  it('keeps the cron schedule in pg-boss', async () => {
    const schedules = await services.jobs.boss.getSchedules()
    expect(schedules).toContainEqual(expect.objectContaining({ name: MONTHLY_SUMMARIES_QUEUE.name, cron: MONTHLY_SUMMARY_CRON, timezone: 'UTC' }))
  })

  it('creates one summary per organisation, e-mails the PDF to the one that opted in and only stores the other', async () => {
    await services.jobs.send(MONTHLY_SUMMARIES_QUEUE, { month: '2026-01' })
    let reports = await database.db.report.findMany()
    for (let i = 0; i < 240 && !(reports.length === 2 && reports.every((r) => r.status === 'COMPLETED')); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 250))
      reports = await database.db.report.findMany()
    }
    expect(reports.map((r) => [r.orgId, r.type, r.status, r.parameters]).sort()).toEqual([
      ['user_opted', 'MONTHLY_SUMMARY', 'COMPLETED', { month: '2026-01', scheduled: true }],
      ['user_quiet', 'MONTHLY_SUMMARY', 'COMPLETED', { month: '2026-01', scheduled: true }],
    ])
    for (let i = 0; i < 100 && (await database.db.notificationLog.count()) === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 100))

    expect(sink.messages).toHaveLength(1)
    const mail = sink.messages[0]!
    expect(mail.to).toEqual(['opted@example.test'])
    expect(mail.subject).toBe('Your Anomalyze summary for 2026-01')
    const figures = await readSummaryFigures(database.db, 'user_opted', new Date(Date.UTC(2026, 0, 1)), new Date(Date.UTC(2026, 1, 1)))
    expect(figures.transactions).toBe(500)
    expect(mail.decoded).toContain('Transactions: 500')
    // The attachment is the PDF itself: decode it and read its text.
    const part = /Content-Type: application\/pdf; name=summary-2026-01\.pdf\r\n(?:[^\r\n]+\r\n)*\r\n([A-Za-z0-9+/=\r\n]+)/.exec(mail.raw)
    expect(part, 'a PDF attachment named summary-2026-01.pdf').not.toBeNull()
    const pdf = Buffer.from(part![1]!.replace(/\r\n/g, ''), 'base64')
    const parser = new PDFParse({ data: new Uint8Array(pdf) })
    const text = (await parser.getText()).text
    await parser.destroy()
    expect(text).toContain('Transactions: 500')
    expect(text).toContain(`Anomalies: ${figures.anomalies}`)

    const logs = await database.db.notificationLog.findMany()
    expect(logs.map((l) => [l.orgId, l.channel, l.status, l.anomalyId])).toEqual([['user_opted', 'EMAIL', 'SENT', null]])
    // The SMTP message id nodemailer got back, as in the Message-ID header: <local@domain>.
    expect(logs[0]?.providerMessageId).toMatch(/^<[^<>\s]+@[^<>\s]+>$/)

    // A schedule that fires again (or a retried fan-out) creates nothing twice.
    expect(await fanOutMonthlySummaries({ db: database.db, jobs: services.jobs, log: testLogger }, '2026-01')).toEqual({ created: 0, existing: 2 })
    expect(await database.db.report.count()).toBe(2)
  })

  it('stores the summary and records why when e-mail is not configured', async () => {
    const figures = await readSummaryFigures(database.db, 'user_opted', new Date(Date.UTC(2026, 0, 1)), new Date(Date.UTC(2026, 1, 1)))
    const outcome = await emailSummaryIfOptedIn(database.db, null, testLogger, {
      orgId: 'user_opted',
      reportId: 'r-1',
      periodLabel: '2026-01',
      fileName: 'summary-2026-01.pdf',
      pdf: Buffer.from('%PDF'),
      figures,
    })
    expect(outcome).toBe('no-smtp')
    expect(await database.db.notificationLog.findFirst({ where: { status: 'SKIPPED' } })).toMatchObject({ error: expect.stringMatching(/SMTP_HOST/) })
    const quiet = await emailSummaryIfOptedIn(database.db, null, testLogger, {
      orgId: 'user_quiet',
      reportId: 'r-2',
      periodLabel: '2026-01',
      fileName: 'summary-2026-01.pdf',
      pdf: Buffer.from('%PDF'),
      figures,
    })
    expect(quiet).toBe('not-opted-in')
  })
})
