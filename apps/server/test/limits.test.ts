import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApp, type RunningApp } from '../src/app/start-app.ts'
import { createPrismaClient } from '../src/db/prisma.ts'
import { loadEnv } from '../src/env.ts'
import { FREE_ENTITLEMENTS, type Entitlements } from '../src/services/billing/entitlements.ts'
import { seedPlans } from '../src/services/billing/plans.ts'
import { flushRealtimeUsage } from '../src/services/limits/realtime-usage.ts'
import { takeRateLimit, windowStartOf } from '../src/services/limits/rate-limit.ts'
import { testLogger } from './helpers/silent-logger.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'

interface LimitErrorBody {
  error: { data: { appError: { code: string; message: string; details: Record<string, unknown> } }; data_httpStatus?: number }
}

describe('limits: rate limit per key and for members, and the monthly quota', () => {
  let database: TestDatabase
  let app: RunningApp
  let userToken: string
  let userId: string

  beforeAll(async () => {
    database = await createTestDatabase()
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'anomalyze-limits-'))
    app = await startApp(loadEnv({ DATABASE_URL: database.url, ANOMALYZE_DATA_DIR: dataDir, PORT: '0', JOB_POLL_SECONDS: '0.5' }), testLogger)
    userToken = app.localToken as string
    const me = await trpc('me.get', userToken)
    userId = me.body.result.data.id as string
    await seedPlans(app.db)
  })
  afterAll(async () => {
    await app.stop()
    await database.drop()
  })

  const trpc = async (procedure: string, token: string, input?: unknown) => {
    const response = await fetch(`${app.url}/trpc/${procedure}`, {
      method: input === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(input === undefined ? {} : { body: JSON.stringify(input) }),
    })
    return { status: response.status, body: (await response.json()) as Record<string, any> }
  }

  let quotaKey = ''
  let txCounter = 0
  const transactions = (n: number) =>
    Array.from({ length: n }, () => {
      txCounter += 1
      return { txId: `lim-${txCounter}`, timestamp: Date.UTC(2026, 4, 1) + txCounter * 1000, amount: 10, accountId: 'C1', merchantId: 'M1' }
    })
  const ingest = (token: string, n: number) => trpc('ingest.transactions', token, { transactions: transactions(n) })

  /** The entitlements cache billing keeps on the subscription; a plan with tiny limits. */
  const setLimits = async (limits: Partial<Entitlements>) => {
    const features = { ...FREE_ENTITLEMENTS, planId: 'free', planName: 'Free', ...limits }
    await app.db.subscription.upsert({
      where: { orgId: userId },
      create: { orgId: userId, planId: 'free', status: 'ACTIVE', features },
      update: { features },
    })
  }
  const newKey = async (name: string) =>
    (await trpc('apiKeys.create', userToken, { name, scopes: ['ingest:write'] })).body.result.data as { id: string; secret: string }

  it('refuses the request past the per-minute limit with 429, the limit, the use and the reset time', async () => {
    // Not across a minute boundary: the window would reset mid-test.
    const toBoundary = 60_000 - (Date.now() % 60_000)
    if (toBoundary < 10_000) await sleep(toBoundary + 100)
    await setLimits({ rateLimitPerMinute: 3, monthlyTxQuota: 1_000 })
    const key = await newKey('rate')
    for (let i = 0; i < 3; i += 1) expect((await ingest(key.secret, 1)).status).toBe(200)
    const refused = await ingest(key.secret, 1)
    expect(refused.status).toBe(429)
    const appError = (refused.body as LimitErrorBody).error.data.appError
    expect(appError.code).toBe('LIMIT_EXCEEDED')
    expect(appError.message).toMatch(/3 requests per minute on the Free plan.*Resets at .*Upgrade your plan/)
    expect(appError.details).toMatchObject({ limit: 'rate_per_minute', allowed: 3, current: 4, planId: 'free' })
    expect(appError.details.resetsAt).toBe(new Date(windowStartOf(new Date()).getTime() + 60_000).toISOString())
    // The check ran alongside the ingest's first round trip: what that stored is rolled back.
    expect(await app.db.transaction.count({ where: { txId: `lim-${txCounter}` } })).toBe(0)
    // Refused lately, the key is now checked before any work: refused again, nothing stored.
    expect((await ingest(key.secret, 1)).status).toBe(429)
    expect(await app.db.transaction.count({ where: { txId: `lim-${txCounter}` } })).toBe(0)
    // Per key: another key of the same organisation still gets through.
    expect((await ingest((await newKey('other')).secret, 1)).status).toBe(200)
    // Members signed in to the console share one bucket of the organisation's, apart from the keys'.
    for (let i = 0; i < 3; i += 1) expect((await ingest(userToken, 1)).status).toBe(200)
    const member = await ingest(userToken, 1)
    expect(member.status).toBe(429)
    expect((member.body as LimitErrorBody).error.data.appError.details).toMatchObject({ limit: 'rate_per_minute', allowed: 3, current: 4, planId: 'free' })
  })

  it('shares the counter across server instances: concurrent requests on two connections get exactly the limit', async () => {
    const other = createPrismaClient(database.url, 4)
    try {
      const limits: Entitlements = { ...FREE_ENTITLEMENTS, rateLimitPerMinute: 6 }
      const now = new Date(Date.UTC(2026, 5, 1, 12, 0, 30))
      const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => takeRateLimit(i % 2 === 0 ? app.db : other, 'key-shared', limits, now)))
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(6)
      expect(results.filter((r) => r.status === 'rejected')).toHaveLength(4)
      // The next window starts from zero, and the old one is dropped.
      await takeRateLimit(other, 'key-shared', limits, new Date(now.getTime() + 60_000))
      const windows = await app.db.rateLimitWindow.findMany({ where: { apiKeyId: 'key-shared' } })
      expect(windows.map((w) => [w.windowStart.toISOString(), w.count])).toEqual([['2026-06-01T12:01:00.000Z', 1]])
    } finally {
      await other.$disconnect()
    }
  })

  /** Starts the month's use from zero: what keys and members' sessions metered so far. */
  const resetUsage = async () => {
    await flushRealtimeUsage(app.db) // nothing metered earlier may land after the reset
    await app.db.apiKeyUsage.deleteMany({})
    await app.db.sessionUsage.deleteMany({})
  }

  it('meters accepted transactions against the monthly quota, batch rows included, with the reset date', async () => {
    await resetUsage()
    await setLimits({ rateLimitPerMinute: 1_000, monthlyTxQuota: 20 })
    const key = await newKey('quota')
    quotaKey = key.secret

    expect((await ingest(key.secret, 12)).body.result.data.accepted).toBe(12)
    // Batch upload: 3 rows, metered on the key when accepted.
    const csv =
      'txId,timestamp,amount,accountId,merchantId\nq-1,2026-05-02T00:00:00Z,5,C1,M1\nq-2,2026-05-02T00:01:00Z,5,C1,M1\nq-3,2026-05-02T00:02:00Z,5,C1,M1\n'
    const uploaded = await fetch(`${app.url}/batch-jobs?fileName=q.csv`, { method: 'POST', headers: { authorization: `Bearer ${key.secret}` }, body: csv })
    expect(uploaded.status).toBe(202)
    const { id } = (await uploaded.json()) as { id: string }
    for (let i = 0; i < 240; i += 1) {
      if ((await app.db.batchJob.findUniqueOrThrow({ where: { id } })).status === 'COMPLETED') break
      await sleep(250)
    }
    expect((await app.db.batchJob.findUniqueOrThrow({ where: { id } })).acceptedRows).toBe(3)

    // 15 used of 20: a call carrying 6 is refused as a whole, naming the numbers.
    const refused = await ingest(key.secret, 6)
    expect(refused.status).toBe(429)
    const appError = (refused.body as LimitErrorBody).error.data.appError
    const now = new Date()
    expect(appError.details).toMatchObject({
      limit: 'monthly_transactions',
      allowed: 20,
      current: 15,
      resetsAt: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString(),
    })
    expect(appError.message).toMatch(/20 transactions a month, 15 are used and this request carries 6 \(5 left\)/)
    expect(await app.db.transaction.count({ where: { txId: { in: Array.from({ length: 6 }, (_, i) => `lim-${txCounter - i}`) } } })).toBe(0)
    expect((await ingest(key.secret, 5)).status).toBe(200)

    // Quota spent: a batch upload is refused before its body is stored, and no job is created.
    const jobsBefore = await app.db.batchJob.count()
    const blocked = await fetch(`${app.url}/batch-jobs?fileName=more.csv`, { method: 'POST', headers: { authorization: `Bearer ${key.secret}` }, body: csv })
    expect(blocked.status).toBe(429)
    expect(((await blocked.json()) as { error: { code: string; details: { limit: string } } }).error).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      details: { limit: 'monthly_transactions' },
    })
    expect(await app.db.batchJob.count()).toBe(jobsBefore)

    // The quota is the organisation's: members signed in to the console draw on it too.
    const member = await ingest(userToken, 1)
    expect(member.status).toBe(429)
    expect((member.body as LimitErrorBody).error.data.appError.details).toMatchObject({ limit: 'monthly_transactions', allowed: 20, current: 20 })
  })

  it("meters members' console ingestion on the organisation, counted with its keys' use", async () => {
    await resetUsage()
    await setLimits({ rateLimitPerMinute: 1_000, monthlyTxQuota: 10 })
    expect((await ingest(userToken, 4)).body.result.data.accepted).toBe(4)
    await flushRealtimeUsage(app.db)
    expect(await app.db.sessionUsage.findMany({ select: { orgId: true, transactions: true } })).toEqual([{ orgId: userId, transactions: 4 }])
    expect(await app.db.apiKeyUsage.count()).toBe(0)
    // 4 by members, then a key carrying 7: over the 10 together.
    const refused = await ingest(quotaKey, 7)
    expect(refused.status).toBe(429)
    expect((refused.body as LimitErrorBody).error.data.appError.details).toMatchObject({ limit: 'monthly_transactions', allowed: 10, current: 4 })
    expect((await ingest(quotaKey, 6)).status).toBe(200)
  })

  it('refuses a batch file with more rows than the quota has left, after counting them', async () => {
    await resetUsage()
    await setLimits({ rateLimitPerMinute: 1_000, monthlyTxQuota: 4 })
    // The free plan allows 3 keys: the previous test's key, usage reset.
    const rows = Array.from({ length: 5 }, (_, i) => `big-${i},2026-05-03T00:0${i}:00Z,5,C1,M1`).join('\n')
    const response = await fetch(`${app.url}/batch-jobs?fileName=big.csv`, {
      method: 'POST',
      headers: { authorization: `Bearer ${quotaKey}` },
      body: `txId,timestamp,amount,accountId,merchantId\n${rows}\n`,
    })
    expect(response.status).toBe(429)
    const body = (await response.json()) as { error: { message: string } }
    expect(body.error.message).toMatch(/this request carries 5 \(4 left\)/)
  })
})
