import { randomUUID } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { Readable, Transform } from 'node:stream'
import { buffer } from 'node:stream/consumers'
import { TRPCError } from '@trpc/server'
import { PDFParse } from 'pdf-parse'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ZodError } from 'zod'
import { csvRecords } from '@anomalyze/shared/node'
import type { Severity } from '@anomalyze/shared'
import { registerReportWorkers } from '../src/services/reports/register-report-workers.ts'
import { ensurePersonalWorkspace } from '../src/services/organizations/workspaces.ts'
import { runReport } from '../src/services/reports/run-report.ts'
import type { ObjectStore } from '../src/storage/object-store.ts'
import { callerFor } from './helpers/caller.ts'
import { testLogger } from './helpers/silent-logger.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'
import { createTestServices, type TestServices } from './helpers/test-services.ts'
import { insertGeneratedAnomalies } from './reports-fixtures.ts'

/**
 * Reports end to end on a real Postgres and a real pg-boss: requests validated with
 * the field named, jobs run by the registered worker, files in the object store, the
 * CSV read back with the shared reader and compared with the database, the PDF's text
 * compared with figures counted here independently.
 */
describe('reports', () => {
  let database: TestDatabase
  let services: TestServices
  const USER = 'user_reports'

  beforeAll(async () => {
    database = await createTestDatabase()
    services = await createTestServices({ databaseUrl: database.url })
    await registerReportWorkers({ ...services, db: database.db, log: testLogger })
    await insertGeneratedAnomalies(database.db, USER, 3_000)
  })
  afterAll(async () => {
    await services.close()
    await database.drop()
  })

  const caller = () => callerFor(database.db, USER, {}, services)

  async function waitForReport(id: string) {
    for (let i = 0; i < 240; i += 1) {
      const report = await caller().reports.get({ id })
      if (report.status === 'COMPLETED' || report.status === 'FAILED') return report
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    throw new Error(`report ${id} did not finish in 60 s`)
  }

  async function fieldErrors(call: Promise<unknown>): Promise<{ path: string; message: string }[]> {
    const error = await call.then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(TRPCError)
    expect((error as TRPCError).code).toBe('BAD_REQUEST')
    const cause = (error as TRPCError).cause
    expect(cause).toBeInstanceOf(ZodError)
    return (cause as ZodError).issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }))
  }

  it('refuses an invalid date range, an unparseable date and an unknown filter, naming the field', async () => {
    const reversed = await fieldErrors(
      caller().reports.create({ type: 'ANOMALIES', format: 'CSV', parameters: { filters: { from: '2026-02-01', to: '2026-01-01' } } }),
    )
    expect(reversed).toEqual([{ path: 'parameters.filters.from', message: expect.stringMatching(/"from" .* must be before "to"/) }])

    const unparseable = await fieldErrors(caller().reports.create({ type: 'ANOMALIES', format: 'CSV', parameters: { filters: { to: '2026-02-30' } } }))
    expect(unparseable).toEqual([{ path: 'parameters.filters.to', message: expect.stringMatching(/not a date/) }])

    const unknown = await fieldErrors(caller().reports.create({ type: 'ANOMALIES', format: 'CSV', parameters: { filters: { severity: ['HIGH'] } } } as never))
    expect(unknown).toEqual([{ path: 'parameters.filters', message: expect.stringContaining('"severity"') }])

    const badSeverity = await fieldErrors(
      caller().reports.create({ type: 'ANOMALIES', format: 'CSV', parameters: { filters: { severities: ['SEVERE'] } } } as never),
    )
    expect(badSeverity.map((e) => e.path)).toEqual(['parameters.filters.severities.0'])

    const wrongFormat = await fieldErrors(caller().reports.create({ type: 'ANOMALIES', format: 'PDF' } as never))
    expect(wrongFormat.map((e) => e.path)).toEqual(['format'])

    const summaryWithoutPeriod = await fieldErrors(caller().reports.create({ type: 'MONTHLY_SUMMARY', format: 'PDF', parameters: {} }))
    expect(summaryWithoutPeriod.map((e) => e.path)).toEqual(['parameters.from'])

    const scheduledByClient = await fieldErrors(
      caller().reports.create({ type: 'MONTHLY_SUMMARY', format: 'PDF', parameters: { month: '2026-01', scheduled: true } }),
    )
    expect(scheduledByClient.map((e) => e.path)).toEqual(['parameters.scheduled'])

    expect(await database.db.report.count()).toBe(0)
  })

  it('exports filtered anomalies as a CSV that reads back with the same rows and values', async () => {
    const filters = { severities: ['HIGH', 'CRITICAL'] as Severity[], from: '2026-01-03T00:00:00Z', to: Date.UTC(2026, 0, 25, 12), amountMin: 50 }
    const created = await caller().reports.create({ type: 'ANOMALIES', format: 'CSV', parameters: { filters } })
    expect(created).toMatchObject({ status: 'QUEUED', progress: 0, downloadable: false })
    const done = await waitForReport(created.id)
    expect(done).toMatchObject({ status: 'COMPLETED', progress: 100, downloadable: true, error: null })

    // The same selection, asked of Prisma directly: an independent path to the truth.
    const expected = await database.db.anomaly.findMany({
      where: {
        orgId: USER,
        severity: { in: filters.severities },
        transaction: { timestamp: { gte: new Date(filters.from), lt: new Date(filters.to) }, amount: { gte: filters.amountMin } },
      },
      include: { transaction: true },
    })
    expect(expected.length).toBeGreaterThan(800)
    expect(done.rowCount).toBe(expected.length)

    const stored = await database.db.report.findUniqueOrThrow({ where: { id: created.id } })
    const records = []
    for await (const batch of csvRecords(await services.storage.get(stored.fileUrl ?? ''))) records.push(...batch)
    const [header, ...rows] = records
    expect(header?.values).toEqual([
      'anomaly_id',
      'tx_id',
      'timestamp',
      'amount',
      'currency',
      'account_id',
      'merchant_id',
      'category',
      'country',
      'channel',
      'score',
      'severity',
      'rules',
      'status',
      'model_version',
      'explanation',
      'detected_at',
    ])
    expect(rows.length).toBe(expected.length)
    expect(rows.every((r) => r.error === undefined)).toBe(true)
    const byId = new Map(expected.map((a) => [a.id, a]))
    let previous = ''
    for (const { values } of rows) {
      const [id, txId, timestamp, amount, currency, account, merchant, category, country, channel, score, severity, rules, status, model, explanation] = values
      const a = byId.get(id ?? '')
      expect(a, `row for ${id}`).toBeDefined()
      if (!a) continue
      byId.delete(a.id)
      expect([txId, timestamp, currency, account, merchant, category, country, channel]).toEqual([
        a.transaction.txId,
        a.transaction.timestamp.toISOString(),
        a.transaction.currency,
        a.transaction.accountId,
        a.transaction.merchantId,
        a.transaction.category ?? '',
        a.transaction.country ?? '',
        a.transaction.channel ?? '',
      ])
      expect(amount).toBe(a.transaction.amount.toFixed(4))
      expect(Number(score)).toBe(a.score)
      expect([severity, rules, status, model, explanation]).toEqual([a.severity, a.ruleViolations.join(';'), a.status, a.modelVersion, a.explanation])
      expect(timestamp! >= previous).toBe(true)
      previous = timestamp!
    }
    expect(byId.size).toBe(0)
    // Quoting was exercised: commas, doubled quotes and line breaks all came back whole.
    expect(rows.some((r) => r.values[7] === 'food, "fresh"')).toBe(true)
    expect(rows.some((r) => r.values[15]?.includes('\nsecond line'))).toBe(true)

    const link = await caller().reports.downloadUrl({ id: created.id })
    expect(link.url).toMatch(new RegExp(`/files/users/${USER}/reports/${created.id}\\.csv\\?expires=\\d+&name=anomalies-\\d{4}-\\d{2}-\\d{2}\\.csv&sig=`))
    expect(link.expiresAt).toBeGreaterThan(Date.now())

    const listed = await caller().reports.list()
    expect(listed.map((r) => r.id)).toContain(created.id)
  })

  it('exports analyst decisions with who, when and the note', async () => {
    const anomalies = await database.db.anomaly.findMany({ where: { orgId: USER }, take: 3, orderBy: { id: 'asc' }, include: { transaction: true } })
    const decisions = anomalies.map((a, i) => ({
      id: randomUUID(),
      orgId: USER,
      anomalyId: a.id,
      label: (['CONFIRMED_FRAUD', 'FALSE_POSITIVE', 'NEEDS_REVIEW'] as const)[i] ?? 'NEEDS_REVIEW',
      note: i === 0 ? 'called the customer, "not them", card blocked\nfollow up' : null,
      decidedBy: `analyst-${i}`,
      decidedAt: new Date(Date.UTC(2026, 1, 1 + i, 9, 30)),
      mutationId: randomUUID(),
    }))
    await database.db.anomalyLabel.createMany({ data: decisions })
    const created = await caller().reports.create({ type: 'DECISIONS', format: 'CSV', parameters: { filters: { from: '2026-02-01', to: '2026-02-03' } } })
    const done = await waitForReport(created.id)
    expect(done).toMatchObject({ status: 'COMPLETED', rowCount: 2 })
    const stored = await database.db.report.findUniqueOrThrow({ where: { id: created.id } })
    const records = []
    for await (const batch of csvRecords(await services.storage.get(stored.fileUrl ?? ''))) records.push(...batch)
    expect(records.slice(1).map((r) => r.values.slice(0, 7))).toEqual(
      decisions
        .slice(0, 2)
        .map((d) => [
          d.id,
          d.decidedAt.toISOString(),
          d.decidedBy,
          d.label,
          d.note ?? '',
          d.anomalyId,
          anomalies.find((a) => a.id === d.anomalyId)?.transaction.txId,
        ]),
    )
  })

  it('summarises a month as a PDF whose text holds the figures the database holds', async () => {
    const JAN = { gte: new Date(Date.UTC(2026, 0, 1)), lt: new Date(Date.UTC(2026, 1, 1)) }
    // One transaction in February and one without an anomaly in January, so the
    // month boundary and the anomaly join both matter.
    await database.db.transaction.create({
      data: {
        orgId: USER,
        txId: 'feb-1',
        timestamp: new Date(Date.UTC(2026, 1, 3)),
        amount: 10,
        currency: 'INR',
        accountId: 'a',
        merchantId: 'm',
        source: 'REALTIME_API',
      },
    })
    await database.db.transaction.create({
      data: {
        orgId: USER,
        txId: 'jan-clean',
        timestamp: new Date(Date.UTC(2026, 0, 20)),
        amount: 10,
        currency: 'INR',
        accountId: 'a',
        merchantId: 'm',
        source: 'REALTIME_API',
      },
    })
    const some = await database.db.anomaly.findMany({ where: { orgId: USER }, orderBy: { id: 'desc' }, take: 7, select: { id: true } })
    await database.db.anomaly.updateMany({
      where: { id: { in: some.slice(0, 2).map((a) => a.id) } },
      data: { status: 'FALSE_POSITIVE', isFalsePositive: true },
    })
    await database.db.anomaly.updateMany({ where: { id: { in: some.slice(2).map((a) => a.id) } }, data: { status: 'CONFIRMED_FRAUD' } })

    const created = await caller().reports.create({ type: 'MONTHLY_SUMMARY', format: 'PDF', parameters: { month: '2026-01' } })
    const done = await waitForReport(created.id)
    expect(done).toMatchObject({ status: 'COMPLETED', fileName: 'summary-2026-01.pdf' })
    const stored = await database.db.report.findUniqueOrThrow({ where: { id: created.id } })
    const pdf = await buffer(await services.storage.get(stored.fileUrl ?? ''))
    const parser = new PDFParse({ data: new Uint8Array(pdf) })
    const text = (await parser.getText()).text
    await parser.destroy()

    const inJan = { orgId: USER, transaction: { timestamp: JAN } }
    const transactions = await database.db.transaction.count({ where: { orgId: USER, timestamp: JAN } })
    const anomalies = await database.db.anomaly.count({ where: inJan })
    const fp = await database.db.anomaly.count({ where: { ...inJan, status: 'FALSE_POSITIVE' } })
    const confirmed = await database.db.anomaly.count({ where: { ...inJan, status: 'CONFIRMED_FRAUD' } })
    const spikes = await database.db.anomaly.count({ where: { ...inJan, ruleViolations: { has: 'AMOUNT_SPIKE' } } })
    const newMerchant = await database.db.anomaly.count({ where: { ...inJan, ruleViolations: { has: 'NEW_MERCHANT' } } })
    const n = (v: number): string => v.toLocaleString('en-US')
    expect(transactions).toBe(3_001)
    expect(text).toContain(`Transactions: ${n(transactions)}`)
    expect(text).toContain(`Anomalies: ${n(anomalies)} (${((anomalies / transactions) * 100).toFixed(1)}% of transactions)`)
    expect(text).toContain(`confirmed fraud ${n(confirmed)}, false positives ${n(fp)}`)
    expect(text).toContain(`False-positive rate: ${((fp / (fp + confirmed)) * 100).toFixed(1)}%`)
    for (const severity of ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const) {
      expect(text).toContain(`${severity}: ${n(await database.db.anomaly.count({ where: { ...inJan, severity } }))}`)
    }
    expect(text).toContain(`AMOUNT_SPIKE: ${n(spikes)}`)
    expect(text).toContain(`NEW_MERCHANT: ${n(newMerchant)}`)
    expect(text).toContain(`Models that scored these anomalies: shipped default model 1.0.0 (${n(anomalies)})`)
    const day = (d: number) => ({ gte: new Date(Date.UTC(2026, 0, d)), lt: new Date(Date.UTC(2026, 0, d + 1)) })
    for (const d of [1, 20, 31]) {
      const dayTx = await database.db.transaction.count({ where: { orgId: USER, timestamp: day(d) } })
      const dayAn = await database.db.anomaly.count({ where: { orgId: USER, transaction: { timestamp: day(d) } } })
      expect(text).toContain(`2026-01-${String(d).padStart(2, '0')}: transactions ${n(dayTx)}, anomalies ${n(dayAn)}`)
    }
    expect(text).toContain('2026-01-31: transactions 0, anomalies 0')
  })

  it('marks a report FAILED with the reason and publishes no file when the upload breaks mid-stream', async () => {
    // The real local-folder store behind a body that breaks after ~200 kB: the export
    // has read and sent several pages when the failure happens.
    const failingStore: ObjectStore = {
      ...services.storage,
      put: (key, body, options) => {
        let sent = 0
        const breaker = new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            sent += chunk.length
            callback(sent > 200_000 ? new Error('disk full while writing the report') : null, chunk)
          },
        })
        const source = body instanceof Readable ? body : Readable.from([body])
        return services.storage.put(key, source.pipe(breaker), options)
      },
    }
    const report = await database.db.report.create({ data: { orgId: USER, type: 'ANOMALIES', format: 'CSV', parameters: { filters: {} } } })
    const progressSeen: number[] = []
    const watcher = setInterval(() => {
      void database.db.report.findUnique({ where: { id: report.id }, select: { progress: true } }).then((r) => r && progressSeen.push(r.progress))
    }, 5)
    const outcome = await runReport({ db: database.db, storage: failingStore, log: testLogger, cursor: { pageSize: 200 } }, report.id)
    clearInterval(watcher)
    expect(outcome).toEqual({ status: 'FAILED', error: 'disk full while writing the report' })
    const stored = await database.db.report.findUniqueOrThrow({ where: { id: report.id } })
    expect(stored).toMatchObject({ status: 'FAILED', error: 'disk full while writing the report', fileUrl: null })
    expect(stored.progress).toBeGreaterThan(0)
    expect(stored.progress).toBeLessThan(100)
    expect(await services.storage.head(`users/${USER}/reports/${report.id}.csv`)).toBeNull()
    expect(readdirSync(`${services.objectDir}/users/${USER}/reports`).filter((f) => f.startsWith(report.id))).toEqual([])
    await expect(caller().reports.downloadUrl({ id: report.id })).rejects.toMatchObject({ code: 'CONFLICT' })
    // A job delivered again does not redo a failed report.
    expect(await runReport({ db: database.db, storage: services.storage, log: testLogger }, report.id)).toEqual({ status: 'SKIPPED' })
  })

  it('fails cleanly when the store gives up on its first chunk while the next page is being fetched', async () => {
    // A store that stops reading and rejects at once (a refused connection): the
    // export's stream is by then fetching its next page. That fetch must not run
    // against the rolled-back transaction, nor its error go unhandled.
    const refusingStore: ObjectStore = {
      ...services.storage,
      put: (_key, body) =>
        new Promise((_resolve, reject) => {
          if (!(body instanceof Readable)) return reject(new Error('expected a stream'))
          body.once('data', () => reject(new Error('connection refused by the object store')))
        }),
    }
    const unhandled: unknown[] = []
    const onUnhandled = (error: unknown) => unhandled.push(error)
    process.on('uncaughtException', onUnhandled)
    process.on('unhandledRejection', onUnhandled)
    try {
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const report = await database.db.report.create({ data: { orgId: USER, type: 'ANOMALIES', format: 'CSV', parameters: { filters: {} } } })
        const outcome = await runReport({ db: database.db, storage: refusingStore, log: testLogger, cursor: { pageSize: 50 } }, report.id)
        expect(outcome).toEqual({ status: 'FAILED', error: 'connection refused by the object store' })
      }
      // Anything the abandoned stream did late would surface within a few ticks.
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect(unhandled).toEqual([])
    } finally {
      process.off('uncaughtException', onUnhandled)
      process.off('unhandledRejection', onUnhandled)
    }
  })

  it('marks a report with unreadable stored parameters FAILED with the reason', async () => {
    const report = await database.db.report.create({ data: { orgId: USER, type: 'DECISIONS', format: 'CSV', parameters: { filters: { from: 'yesterday' } } } })
    const outcome = await runReport({ db: database.db, storage: services.storage, log: testLogger }, report.id)
    expect(outcome.status).toBe('FAILED')
    expect(await database.db.report.findUniqueOrThrow({ where: { id: report.id } })).toMatchObject({
      status: 'FAILED',
      error: expect.stringContaining('not a date'),
      fileUrl: null,
    })
  })

  it('lets API keys with the anomalies:read scope request reports, audited under the key', async () => {
    const keyCaller = (scopes: string[]) => callerFor(database.db, USER, { via: 'apikey', role: null, scopes, apiKeyId: 'key-1' }, services)
    await expect(keyCaller(['ingest:write']).reports.list()).rejects.toMatchObject({ code: 'FORBIDDEN' })
    const created = await keyCaller(['anomalies:read']).reports.create({ type: 'DECISIONS', format: 'CSV', parameters: { filters: {} } })
    expect(await waitForReport(created.id)).toMatchObject({ status: 'COMPLETED' })
    expect(await database.db.auditLog.findFirst({ where: { entityId: created.id } })).toMatchObject({
      action: 'report.create',
      actor: 'apikey:key-1',
      orgId: USER,
    })
  })

  it("offers no link for a report that is not finished, nor for another user's", async () => {
    const queued = await database.db.report.create({ data: { orgId: USER, type: 'ANOMALIES', format: 'CSV', parameters: { filters: {} } } })
    await expect(caller().reports.downloadUrl({ id: queued.id })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/queued/) })
    await ensurePersonalWorkspace(database.db, { id: 'someone_else' })
    await expect(callerFor(database.db, 'someone_else', {}, services).reports.get({ id: queued.id })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })
})
