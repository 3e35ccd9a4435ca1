import { randomUUID } from 'node:crypto'
import { AppError, type RuleDefinition, type TBacktestJob } from '@anomalyze/shared'
import { TRPCError } from '@trpc/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { callerFor } from '../../../../test/helpers/caller.ts'
import { testLogger } from '../../../../test/helpers/silent-logger.ts'
import { createTestDatabase, type TestDatabase } from '../../../../test/helpers/test-database.ts'
import { createTestServices, type TestServices } from '../../../../test/helpers/test-services.ts'
import type { Db } from '../../../db/prisma.ts'
import type { JobQueue } from '../../../jobs/job-queue.ts'
import { ensurePersonalWorkspace } from '../../organizations/workspaces.ts'
import { rulesHash } from '@anomalyze/shared/node'
import { registerBacktestWorkers } from './register-backtest-workers.ts'
import { runBacktest } from './run-backtest.ts'

/**
 * Backtests against a real Postgres: a hand-made organisation whose every expected
 * figure is worked out below from the rows inserted, the window anchored at the latest
 * transaction, labels fed with the engine's delay, and the paths that must not leave
 * a backtest stuck (an empty organisation, a draft that no longer compiles).
 */
const DAY = 86_400_000
const ORG = 'user_backtest'
const OTHER = 'user_backtest_other'
const LATEST = Date.UTC(2026, 1, 10, 12)
const FROM = LATEST - 3 * DAY // 2026-02-07 12:00, the window of 3 days

const rule = (name: string, expression: string, mode: RuleDefinition['mode'] = 'ACTIVE'): RuleDefinition => ({
  name,
  expression,
  description: '',
  mode,
  severityFloor: null,
  scoreBoost: null,
})

type Status = 'OPEN' | 'CONFIRMED_FRAUD' | 'FALSE_POSITIVE'
interface Seed {
  txId: string
  timestamp: number
  amount: number
  country?: string
  accountId?: string
  alert?: Status
}

/**
 * The tested set: BIG (amount >= 500, ACTIVE), RUSSIA (country RU, SHADOW), IDLE (OFF).
 * In force: CURRENT_BIG (amount >= 800). Rows and what they are:
 */
const SEEDS: Seed[] = [
  { txId: 'h1', timestamp: Date.UTC(2026, 1, 1, 10), amount: 900, alert: 'CONFIRMED_FRAUD' }, // history: replayed, not counted
  { txId: 't1', timestamp: FROM - 60_000, amount: 600 }, // a minute before the window: not counted
  { txId: 't2', timestamp: FROM, amount: 600 }, // first instant of the window: BIG
  { txId: 't3', timestamp: Date.UTC(2026, 1, 8, 9), amount: 850, country: 'RU', alert: 'CONFIRMED_FRAUD' }, // BIG, RUSSIA, in force
  { txId: 't3b', timestamp: Date.UTC(2026, 1, 8, 11), amount: 900 }, // BIG, in force
  { txId: 't4', timestamp: Date.UTC(2026, 1, 8, 10), amount: 100, country: 'RU', alert: 'FALSE_POSITIVE' }, // RUSSIA
  { txId: 't5', timestamp: Date.UTC(2026, 1, 9), amount: 700, alert: 'FALSE_POSITIVE' }, // BIG
  { txId: 't6', timestamp: Date.UTC(2026, 1, 9, 5), amount: 50, alert: 'CONFIRMED_FRAUD' }, // a fraud no rule caught
  { txId: 't7', timestamp: LATEST, amount: 1000, alert: 'OPEN' }, // BIG, in force; the latest: the window ends here
]

async function seed(db: Db, orgId: string, rows: Seed[]): Promise<void> {
  await ensurePersonalWorkspace(db, { id: orgId, name: orgId })
  for (const s of rows) {
    const id = randomUUID()
    await db.transaction.create({
      data: {
        id,
        orgId,
        txId: s.txId,
        timestamp: new Date(s.timestamp),
        amount: s.amount,
        currency: 'INR',
        accountId: s.accountId ?? 'acct-1',
        merchantId: 'M-1',
        country: s.country ?? 'IN',
        source: 'REALTIME_API',
      },
    })
    if (s.alert !== undefined) {
      await db.anomaly.create({ data: { orgId, transactionId: id, score: 0.9, severity: 'HIGH', ruleViolations: [], explanation: 'test', status: s.alert } })
    }
  }
}

/** A queue that records what was sent (these tests run the job themselves). */
function recordingQueue(): { jobs: JobQueue; sent: string[] } {
  const sent: string[] = []
  const unused = (): never => {
    throw new Error('not used')
  }
  const jobs: JobQueue = {
    send: async (_queue, data) => {
      sent.push((data as { backtestId: string }).backtestId)
      return 'job'
    },
    work: unused,
    workBatch: unused,
    schedule: unused,
    get boss(): never {
      return unused()
    },
    stop: async () => {},
  }
  return { jobs, sent }
}

async function appErrorOf(call: Promise<unknown>): Promise<AppError> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(TRPCError)
  const cause = (error as TRPCError).cause
  expect(cause).toBeInstanceOf(AppError)
  return cause as AppError
}

describe('rule backtests', () => {
  let database: TestDatabase
  let services: TestServices
  const queue = recordingQueue()
  const TESTED = [rule('BIG', 'amount >= 500'), rule('RUSSIA', 'country == "RU"', 'SHADOW'), rule('IDLE', 'amount > 0', 'OFF')]

  beforeAll(async () => {
    database = await createTestDatabase()
    services = await createTestServices()
    await seed(database.db, ORG, SEEDS)
    // Another organisation's later, bigger transaction neither counts nor moves the window.
    await seed(database.db, OTHER, [{ txId: 'o1', timestamp: LATEST + 5 * DAY, amount: 5000, alert: 'CONFIRMED_FRAUD' }])
    await database.db.organization.update({ where: { id: ORG }, data: { alertBudgetPerDay: 1 } })
    await database.db.ruleSetVersion.create({
      data: { orgId: ORG, version: 1, rules: [rule('CURRENT_BIG', 'amount >= 800')] as object[], comment: 'test', publishedById: ORG },
    })
  })
  afterAll(async () => {
    await services.close()
    await database.drop()
  })

  const caller = (orgId = ORG) => callerFor(database.db, orgId, {}, { ...services, jobs: queue.jobs })
  const run = async (id: string): Promise<TBacktestJob> => {
    await runBacktest({ db: database.db, models: services.models, log: testLogger, now: () => Date.UTC(2030, 0, 1) }, id)
    return caller().ruleBacktests.get({ id })
  }

  it('counts hits, decisions, overlaps and days over the window ending at the latest transaction', async () => {
    const started = await caller().ruleBacktests.start({ rules: TESTED, days: 3 })
    expect(started).toMatchObject({ status: 'QUEUED', days: 3, processed: 0, result: null })
    expect(queue.sent).toContain(started.id)

    const job = await run(started.id)
    expect(job.status).toBe('COMPLETED')
    // Replayed: h1, t1 and the 7 window rows (30 days of history before the window).
    expect(job).toMatchObject({ processed: 9, total: 9, failureReason: null })
    const result = job.result
    if (result === null) throw new Error('no result')
    expect(result.from).toBe(FROM)
    expect(result.to).toBe(LATEST)
    expect(result.transactions).toBe(7)
    expect(result.labelled).toEqual({ fraud: 2, falsePositive: 2 })
    // BIG: t2, t3, t3b, t5, t7. Decided: t3 fraud, t5 false positive. In force also: t3, t3b, t7. Alerts: t3, t5, t7.
    const big = { hits: 5, hitsPerDay: 1.666667, confirmedFraud: 1, falsePositive: 1, precision: 0.5, recall: 0.5, overlapCurrentRules: 3, overlapAlerts: 3 }
    expect(result.rules).toEqual([
      { name: 'BIG', mode: 'ACTIVE', ...big },
      // RUSSIA: t3 (fraud, in force, alert) and t4 (false positive, alert).
      {
        name: 'RUSSIA',
        mode: 'SHADOW',
        hits: 2,
        hitsPerDay: 0.666667,
        confirmedFraud: 1,
        falsePositive: 1,
        precision: 0.5,
        recall: 0.5,
        overlapCurrentRules: 1,
        overlapAlerts: 2,
      },
      {
        name: 'IDLE',
        mode: 'OFF',
        hits: 0,
        hitsPerDay: 0,
        confirmedFraud: 0,
        falsePositive: 0,
        precision: null,
        recall: 0,
        overlapCurrentRules: 0,
        overlapAlerts: 0,
      },
      { name: '(all rules)', mode: 'ACTIVE', ...big },
    ])
    expect(result.perDay).toEqual([
      { day: '2026-02-07', draftHits: 1, currentHits: 0 },
      { day: '2026-02-08', draftHits: 2, currentHits: 2 },
      { day: '2026-02-09', draftHits: 1, currentHits: 0 },
      { day: '2026-02-10', draftHits: 1, currentHits: 1 },
    ])
    expect(result).toMatchObject({ alertBudgetPerDay: 1, peakHitsPerDay: 2, overBudget: true, rulesHash: rulesHash(TESTED) })
    expect(result.samples.map((s) => [s.txId, s.rules, s.decision])).toEqual([
      ['t7', ['BIG'], null],
      ['t5', ['BIG'], 'FALSE_POSITIVE'],
      ['t3b', ['BIG'], null],
      ['t4', ['RUSSIA'], 'FALSE_POSITIVE'],
      ['t3', ['BIG', 'RUSSIA'], 'CONFIRMED_FRAUD'],
      ['t2', ['BIG'], null],
    ])
    const t7 = await database.db.transaction.findFirstOrThrow({ where: { orgId: ORG, txId: 't7' } })
    expect(result.samples[0]).toEqual({
      transactionId: t7.id,
      txId: 't7',
      timestamp: LATEST,
      amount: 1000,
      accountId: 'acct-1',
      merchantId: 'M-1',
      rules: ['BIG'],
      decision: null,
    })

    expect((await caller().ruleBacktests.latest({ rulesHash: rulesHash(TESTED) }))?.id).toBe(started.id)
    expect(await caller().ruleBacktests.latest({ rulesHash: 'not-a-hash' })).toBeNull()
  })

  it('feeds confirmed frauds to the features as labels, with the engine’s 7-day delay', async () => {
    const orgId = 'user_backtest_labels'
    await seed(database.db, orgId, [
      { txId: 'k0', timestamp: Date.UTC(2026, 1, 1, 12), amount: 10, accountId: 'acct-k', alert: 'CONFIRMED_FRAUD' },
      { txId: 'k1', timestamp: Date.UTC(2026, 1, 5, 12), amount: 10, accountId: 'acct-k' }, // 4 days on: label not yet known
      { txId: 'k2', timestamp: Date.UTC(2026, 1, 10, 12), amount: 10, accountId: 'acct-k' }, // 9 days on: known
      { txId: 'j1', timestamp: Date.UTC(2026, 1, 10, 13), amount: 10, accountId: 'acct-j' }, // another account: never
    ])
    const started = await caller(orgId).ruleBacktests.start({ rules: [rule('KNOWN', 'acct_known_fraud_30d > 0')], days: 30 })
    await runBacktest({ db: database.db, models: services.models, log: testLogger }, started.id)
    const job = await caller(orgId).ruleBacktests.get({ id: started.id })
    expect(job.status).toBe('COMPLETED')
    expect(job.result?.samples.map((s) => s.txId)).toEqual(['k2'])
  })

  it('refuses a draft that does not check, naming the rule, line and column, and queues nothing', async () => {
    const before = queue.sent.length
    const error = await appErrorOf(
      caller().ruleBacktests.start({ rules: [rule('OK', 'amount > 1'), rule('BROKEN', 'amount >\n  and country == "RU"')], days: 7 }),
    )
    expect(error.code).toBe('BAD_INPUT')
    expect(error.message).toMatch(/^Rule BROKEN \(line 2, column 3\): /)
    expect(error.details?.errors).toEqual([{ rule: 'BROKEN', errors: [expect.objectContaining({ line: 2, column: 3 })] }])
    expect(queue.sent.length).toBe(before)
    expect(await database.db.ruleBacktest.count({ where: { orgId: ORG, rules: { array_contains: [{ name: 'BROKEN' }] } } })).toBe(0)
  })

  it('completes with zero hits for an organisation without transactions', async () => {
    const orgId = 'user_backtest_empty'
    await ensurePersonalWorkspace(database.db, { id: orgId, name: orgId })
    const started = await caller(orgId).ruleBacktests.start({ rules: [rule('BIG', 'amount >= 500')], days: 7 })
    await runBacktest({ db: database.db, models: services.models, log: testLogger, now: () => LATEST }, started.id)
    const job = await caller(orgId).ruleBacktests.get({ id: started.id })
    expect(job).toMatchObject({ status: 'COMPLETED', processed: 0, total: 0, failureReason: null })
    expect(job.result).toMatchObject({ from: LATEST - 7 * DAY, to: LATEST, transactions: 0, samples: [], peakHitsPerDay: 0, overBudget: false })
    expect(job.result?.rules.map((r) => r.hits)).toEqual([0, 0])
    expect(job.result?.perDay).toHaveLength(8)
  })

  it('marks a backtest FAILED with a readable reason when its draft no longer compiles (a list deleted since)', async () => {
    const list = await database.db.ruleList.create({ data: { orgId: ORG, name: 'vip', kind: 'DENY', field: 'account_id', createdById: ORG } })
    const started = await caller().ruleBacktests.start({ rules: [rule('VIP', 'account_id in list("vip")')], days: 3 })
    await database.db.ruleList.delete({ where: { id: list.id } })
    const job = await run(started.id)
    expect(job.status).toBe('FAILED')
    expect(job.failureReason).toMatch(/^Rule VIP \(line 1, column \d+\): .*vip/)
    expect(job.completedAt).not.toBeNull()
    expect(job.result).toBeNull()
  })

  it('marks a backtest FAILED when its stored rules are unreadable, and runs a finished one only once', async () => {
    const row = await database.db.ruleBacktest.create({ data: { orgId: ORG, rules: { not: 'rules' }, days: 3, createdById: ORG } })
    const job = await run(row.id)
    expect(job).toMatchObject({ status: 'FAILED', failureReason: 'The stored rules of this backtest are not rule definitions' })
    await run(row.id)
    expect((await database.db.ruleBacktest.findUniqueOrThrow({ where: { id: row.id } })).completedAt).toEqual(new Date(job.completedAt ?? 0))
  })

  it('answers NOT_FOUND for another organisation’s backtest', async () => {
    const started = await caller().ruleBacktests.start({ rules: TESTED, days: 3 })
    const error = await appErrorOf(caller(OTHER).ruleBacktests.get({ id: started.id }))
    expect(error.code).toBe('NOT_FOUND')
    expect(await caller(OTHER).ruleBacktests.latest({})).toBeNull()
    expect((await caller().ruleBacktests.latest({}))?.id).toBe(started.id)
  })
})

describe('rule backtests through the job queue', () => {
  let database: TestDatabase
  let services: TestServices

  beforeAll(async () => {
    database = await createTestDatabase()
    services = await createTestServices({ databaseUrl: database.url })
    await registerBacktestWorkers({ ...services, db: database.db, log: testLogger })
  })
  afterAll(async () => {
    await services.close()
    await database.drop()
  })

  it('runs a started backtest in the worker, its progress reaching the total', async () => {
    const orgId = 'user_backtest_queue'
    await seed(
      database.db,
      orgId,
      Array.from({ length: 40 }, (_, i) => ({ txId: `q${i}`, timestamp: LATEST - i * 3_600_000, amount: i * 30, accountId: `acct-${i % 4}` })),
    )
    const caller = callerFor(database.db, orgId, { role: 'ANALYST' }, services)
    const started = await caller.ruleBacktests.start({ rules: [rule('BIG', 'amount >= 600')], days: 1 })
    let job = started
    for (let i = 0; i < 120 && (job.status === 'QUEUED' || job.status === 'PROCESSING'); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 250))
      job = await caller.ruleBacktests.get({ id: started.id })
    }
    expect(job.status).toBe('COMPLETED')
    expect(job.total).toBe(40)
    expect(job.processed).toBe(job.total)
    // Within the last 24 h: i = 0..24; of them amount >= 600 is i = 20..24.
    expect(job.result).toMatchObject({ transactions: 25 })
    expect(job.result?.rules[0]?.hits).toBe(5)
  })
})
