import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedDemoAccount } from '../src/seed/seed-demo-account.ts'
import { testLogger } from './helpers/silent-logger.ts'
import { createTestServices, type TestServices } from './helpers/test-services.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'

describe('demo account seed', () => {
  let database: TestDatabase
  let services: TestServices
  beforeAll(async () => {
    database = await createTestDatabase()
    services = await createTestServices()
  })
  afterAll(async () => {
    await services.close()
    await database.drop()
  })

  it('creates plans, a subscription, transactions and the anomalies detection finds; then does nothing', async () => {
    const user = { id: 'local_analyst', name: 'Local analyst' }
    const options = { seed: 3, customers: 80, terminals: 160, days: 14 }
    const first = await seedDemoAccount(database.db, services.models, testLogger, user, options)
    expect(first.created).toBe(true)
    expect(first.transactions).toBeGreaterThan(500)
    expect(first.anomalies).toBeGreaterThan(0)
    expect(await database.db.plan.findMany({ select: { id: true }, orderBy: { priceMinor: 'asc' } })).toEqual([
      { id: 'free' },
      { id: 'pro' },
      { id: 'business' },
    ])
    expect(await database.db.subscription.findUnique({ where: { orgId: user.id } })).toMatchObject({
      planId: 'pro',
      status: 'ACTIVE',
      features: { planId: 'pro', monthlyTxQuota: 1_000_000 },
    })
    expect(await database.db.anomaly.count({ where: { orgId: user.id } })).toBe(first.anomalies)

    const second = await seedDemoAccount(database.db, services.models, testLogger, user, options)
    expect(second).toEqual({ created: false, transactions: 0, anomalies: 0 })
    expect(await database.db.transaction.count()).toBe(first.transactions)
  })
})
