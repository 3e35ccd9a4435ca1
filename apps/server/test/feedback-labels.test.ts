import { randomUUID } from 'node:crypto'
import { BUCKET_FRAUD, type MerchantState } from '@anomalyze/shared/engine'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { entitlementsOfPlan } from '../src/services/billing/entitlements.ts'
import { DEFAULT_PLANS, seedPlans } from '../src/services/billing/plans.ts'
import { callerFor } from './helpers/caller.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'
import { createTestServices, type TestServices } from './helpers/test-services.ts'
import { ensurePersonalWorkspace } from '../src/services/organizations/workspaces.ts'

/** Analyst decisions feed merchant risk, and enough of them start a retraining. */
describe('labels feed the feature state and the retraining trigger', () => {
  let database: TestDatabase
  let services: TestServices
  const userId = 'user_labels'
  const anomalyIds: string[] = []

  beforeAll(async () => {
    database = await createTestDatabase()
    services = await createTestServices({ databaseUrl: database.url, env: { RETRAIN_AFTER_LABELS: '3' } })
    await seedPlans(database.db)
    await ensurePersonalWorkspace(database.db, { id: userId, name: 'Labels' })
    const caller = callerFor(database.db, userId, {}, services)
    const base = Date.UTC(2026, 0, 10, 12)
    await caller.ingest.transactions({
      transactions: Array.from({ length: 4 }, (_, i) => ({
        txId: `l-${i}`,
        timestamp: base + i * 60_000,
        amount: 20 + i,
        accountId: `A${i}`,
        merchantId: 'M-shop',
      })),
    })
    // Anomalies written directly: these tests are about what a decision does, not detection.
    const txs = await database.db.transaction.findMany({ where: { orgId: userId }, orderBy: { txId: 'asc' } })
    for (const tx of txs) {
      const a = await database.db.anomaly.create({
        data: { orgId: userId, transactionId: tx.id, score: 0.9, severity: 'HIGH', ruleViolations: [], explanation: 'test' },
      })
      anomalyIds.push(a.id)
    }
  })
  afterAll(async () => {
    await services.close()
    await database.drop()
  })

  const merchantFrauds = async (): Promise<number> => {
    const row = await database.db.merchantFeatureState.findUniqueOrThrow({ where: { orgId_merchantId: { orgId: userId, merchantId: 'M-shop' } } })
    return ((row.state as unknown as MerchantState).buckets.columns[BUCKET_FRAUD] ?? []).reduce((a, b) => a + b, 0)
  }
  const push = (anomalyId: string, label: 'CONFIRMED_FRAUD' | 'FALSE_POSITIVE', decidedAt: number) =>
    callerFor(database.db, userId, {}, services).sync.push({ decisions: [{ mutationId: randomUUID(), anomalyId, label, decidedAt }] })

  it('counts a confirmed fraud in the merchant risk once, and takes it back when overruled', async () => {
    expect(await merchantFrauds()).toBe(0)
    const id = anomalyIds[0]!
    const decision = { mutationId: randomUUID(), anomalyId: id, label: 'CONFIRMED_FRAUD' as const, decidedAt: 1_000 }
    const caller = callerFor(database.db, userId, {}, services)
    await caller.sync.push({ decisions: [decision] })
    await caller.sync.push({ decisions: [decision] })
    expect(await merchantFrauds()).toBe(1)
    // An older decision arriving late loses and changes nothing.
    expect((await push(id, 'FALSE_POSITIVE', 500)).results[0]?.outcome).toBe('superseded')
    expect(await merchantFrauds()).toBe(1)
    await push(id, 'FALSE_POSITIVE', 2_000)
    expect(await merchantFrauds()).toBe(0)
  })

  it('does not queue a retraining on a plan without it', async () => {
    await push(anomalyIds[1]!, 'FALSE_POSITIVE', 3_000)
    expect(await database.db.trainingJob.count({ where: { orgId: userId } })).toBe(0)
  })

  it('queues one retraining after RETRAIN_AFTER_LABELS new decisions on a plan with retraining', async () => {
    const pro = DEFAULT_PLANS[1]
    await database.db.subscription.create({
      data: { orgId: userId, planId: pro.id, status: 'ACTIVE', features: entitlementsOfPlan({ ...pro, rateLimitPerMinute: 3_000 }) },
    })
    await push(anomalyIds[2]!, 'FALSE_POSITIVE', 4_000)
    const jobs = await database.db.trainingJob.findMany({ where: { orgId: userId } })
    expect(jobs).toHaveLength(1)
    expect(jobs[0]).toMatchObject({ trigger: 'LABEL_THRESHOLD', status: 'QUEUED' })
    const queued = await services.jobs.boss.fetch('retrain-model')
    expect(queued?.map((j) => (j.data as { trainingJobId: string }).trainingJobId)).toEqual([jobs[0]!.id])
    // The count starts again from this training: one more decision is not enough.
    await push(anomalyIds[3]!, 'FALSE_POSITIVE', 5_000)
    expect(await database.db.trainingJob.count({ where: { orgId: userId } })).toBe(1)
  })

  it('refuses a manual retraining on the free plan, naming the plan', async () => {
    await ensurePersonalWorkspace(database.db, { id: 'user_free', name: 'Free' })
    await expect(callerFor(database.db, 'user_free', {}, services).training.start()).rejects.toThrow(
      'Retraining is not included in the Free plan; upgrade to retrain models on your labels',
    )
  })
})
