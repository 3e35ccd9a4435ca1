import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PDFParse } from 'pdf-parse'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensurePersonalWorkspace } from '../src/services/organizations/workspaces.ts'
import { describePeriod } from '../src/services/reports/describe-report.ts'
import { runReport } from '../src/services/reports/run-report.ts'
import { createLocalFolderStore } from '../src/storage/local-folder-store.ts'
import { createLinkSigner } from '../src/storage/signed-links.ts'
import { callerFor } from './helpers/caller.ts'
import { testLogger } from './helpers/silent-logger.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'

/**
 * Issue #23, item 4 on a real Postgres: the report forms start from the month the data
 * is in, report rows say what was asked for, and the monthly PDF names the models that
 * scored the month's anomalies (not the one active now).
 */
describe('reports: honest defaults and titles', () => {
  let database: TestDatabase
  const ORG = 'user_honest'
  const EMPTY = 'user_empty'

  beforeAll(async () => {
    database = await createTestDatabase()
    await ensurePersonalWorkspace(database.db, { id: ORG, name: ORG })
    await ensurePersonalWorkspace(database.db, { id: EMPTY, name: EMPTY })
  })
  afterAll(async () => {
    await database.drop()
  })

  /** One transaction at `at`, with an anomaly scored by `modelVersion` when given. */
  async function transactionAt(txId: string, at: Date, modelVersion?: string | null) {
    const transaction = await database.db.transaction.create({
      data: { orgId: ORG, txId, timestamp: at, amount: 10, currency: 'INR', accountId: 'acct-1', merchantId: 'M1', source: 'REALTIME_API' },
    })
    if (modelVersion === undefined) return null
    return database.db.anomaly.create({
      data: { orgId: ORG, transactionId: transaction.id, score: 0.9, severity: 'HIGH', ruleViolations: [], explanation: 'x', modelVersion },
    })
  }

  it('gives no months for an organisation without data, and the months of its latest data otherwise', async () => {
    expect(await callerFor(database.db, EMPTY).reports.defaults()).toEqual({ latestMonth: null, decisionsMonth: null, casesMonth: null })

    await transactionAt('oct', new Date(Date.UTC(2026, 9, 3)))
    // The latest transaction, not the latest inserted: November beats an October row added after it.
    await transactionAt('nov', new Date(Date.UTC(2026, 10, 30, 23, 59)))
    await transactionAt('oct-late', new Date(Date.UTC(2026, 9, 20)))
    const anomaly = await transactionAt('nov-alert', new Date(Date.UTC(2026, 10, 2)), '1.2.0')
    await database.db.anomalyLabel.create({
      data: { orgId: ORG, anomalyId: anomaly!.id, label: 'FALSE_POSITIVE', decidedBy: 'Priya', decidedAt: new Date(Date.UTC(2026, 11, 4)), mutationId: 'm-1' },
    })
    expect(await callerFor(database.db, ORG).reports.defaults()).toEqual({ latestMonth: '2026-11', decisionsMonth: '2026-12', casesMonth: null })
    // Another organisation's data moves nothing.
    expect(await callerFor(database.db, EMPTY).reports.defaults()).toEqual({ latestMonth: null, decisionsMonth: null, casesMonth: null })
  })

  it('titles each report with its parameters, so two different requests never read the same', async () => {
    const asked = [
      { type: 'MONTHLY_SUMMARY', format: 'PDF', parameters: { month: '2026-11' } },
      { type: 'MONTHLY_SUMMARY', format: 'PDF', parameters: { month: '2026-10', scheduled: true } },
      {
        type: 'ANOMALIES',
        format: 'CSV',
        parameters: { filters: { severities: ['HIGH', 'CRITICAL'], from: '2026-11-01T00:00:00.000Z', to: '2026-11-16T00:00:00.000Z', amountMin: 100 } },
      },
      { type: 'ANOMALIES', format: 'CSV', parameters: { filters: {} } },
      { type: 'DECISIONS', format: 'CSV', parameters: { filters: { labels: ['CONFIRMED_FRAUD'], from: '2026-12-01T00:00:00.000Z' } } },
      { type: 'CASES', format: 'CSV', parameters: { filters: { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z', statuses: ['OPEN'] } } },
      // A shape the schemas refuse (stored by an older version): said, not guessed at.
      { type: 'ANOMALIES', format: 'CSV', parameters: { filters: { severity: 'HIGH' } } },
    ] as const
    for (const [i, report] of asked.entries()) {
      await database.db.report.create({ data: { orgId: ORG, ...report, createdAt: new Date(Date.UTC(2026, 11, 1, 0, i)) } })
    }
    const titles = (await callerFor(database.db, ORG).reports.list({ limit: 50 })).map((r) => r.title).reverse()
    expect(titles).toEqual([
      'Monthly summary · Nov 2026 · PDF',
      'Monthly summary · Oct 2026 · scheduled · PDF',
      'Anomalies · 1 Nov 2026 – 15 Nov 2026 · severity HIGH, CRITICAL · amount ≥ 100 · CSV',
      'Anomalies · all time · CSV',
      'Analyst decisions · from 1 Dec 2026 · decision CONFIRMED_FRAUD · CSV',
      'Cases with timelines · Nov 2026 · status OPEN · CSV',
      'Anomalies · parameters unreadable · CSV',
    ])
  })

  it('says a period to the minute when it does not start or end on a day', () => {
    expect(describePeriod('2026-11-01T10:30:00.000Z', '2026-11-02T00:00:00.000Z')).toBe('1 Nov 2026, 10:30 – 1 Nov 2026')
    expect(describePeriod(undefined, '2026-11-02T00:00:00.000Z')).toBe('until 1 Nov 2026')
    expect(describePeriod('2026-11-05T00:00:00.000Z', '2026-11-06T00:00:00.000Z')).toBe('5 Nov 2026')
  })

  it("names every model version that scored the month's anomalies with its count, not the model active now", async () => {
    // November: two more by 1.2.0 (three with the first test's), two by the shipped model, one without a version.
    for (const [i, version] of ['1.2.0', '1.2.0', 'default@1.0.0', 'default@1.0.0', null].entries()) {
      await transactionAt(`pdf-${i}`, new Date(Date.UTC(2026, 10, 10 + i)), version)
    }
    // December, by another version: outside the month.
    await transactionAt('dec', new Date(Date.UTC(2026, 11, 1)), '0.9.0')
    // Active now, but it scored nothing in November.
    await database.db.modelArtifact.create({
      data: { orgId: ORG, version: '2.0.0', s3Path: 'x', sha256: 'a'.repeat(64), manifest: {}, metrics: {}, isActive: true, activatedAt: new Date() },
    })
    const report = await database.db.report.create({ data: { orgId: ORG, type: 'MONTHLY_SUMMARY', format: 'PDF', parameters: { month: '2026-11' } } })
    const storage = createLocalFolderStore({
      root: mkdtempSync(path.join(os.tmpdir(), 'anomalyze-honest-')),
      signer: createLinkSigner('test-link-secret-0123456789'),
      publicUrl: () => 'http://127.0.0.1:1',
    })
    const outcome = await runReport({ db: database.db, storage, log: testLogger }, report.id)
    if (outcome.status !== 'COMPLETED' || outcome.pdf === undefined) throw new Error(`report did not complete: ${JSON.stringify(outcome)}`)
    const parser = new PDFParse({ data: new Uint8Array(outcome.pdf.buffer) })
    const text = (await parser.getText()).text.replace(/\s+/g, ' ')
    await parser.destroy()

    const counted = await database.db.anomaly.groupBy({
      by: ['modelVersion'],
      where: { orgId: ORG, transaction: { timestamp: { gte: new Date(Date.UTC(2026, 10, 1)), lt: new Date(Date.UTC(2026, 11, 1)) } } },
      _count: true,
    })
    const count = (version: string | null): number => counted.find((row) => row.modelVersion === version)?._count ?? 0
    expect([count('1.2.0'), count('default@1.0.0'), count(null)]).toEqual([3, 2, 1])
    expect(text).toContain(
      `Models that scored these anomalies: model 1.2.0 (${count('1.2.0')}), shipped default model 1.0.0 (${count('default@1.0.0')}), model not recorded (${count(null)})`,
    )
    expect(text).toContain(`shipped default model 1.0.0: ${count('default@1.0.0')} anomalies`)
    expect(text).not.toContain('2.0.0')
    expect(text).not.toContain('0.9.0')
    expect(text).not.toContain('in force')
  })
})
