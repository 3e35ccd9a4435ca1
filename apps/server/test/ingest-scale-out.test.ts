import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { generateTransactions, type AccountState } from '@anomalyze/shared/engine'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApp, type RunningApp } from '../src/app/start-app.ts'
import { loadEnv } from '../src/env.ts'
import { flushRealtimeUsage } from '../src/services/limits/realtime-usage.ts'
import { callerFor } from './helpers/caller.ts'
import { testLogger } from './helpers/silent-logger.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'
import { ensurePersonalWorkspace } from '../src/services/organizations/workspaces.ts'

/**
 * Two server instances on one database, as behind a load balancer, ingesting
 * overlapping accounts at the same time. Feature state lives in Postgres and is
 * locked per batch, so no update is lost: every account's state counts every one of
 * its transactions, and a restart (a third instance) sees the same state.
 */
describe('ingestion scaled out to two instances', () => {
  let database: TestDatabase
  const apps: RunningApp[] = []
  let secret: string

  beforeAll(async () => {
    database = await createTestDatabase()
    for (let i = 0; i < 2; i += 1) {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'anomalyze-scale-'))
      apps.push(await startApp(loadEnv({ DATABASE_URL: database.url, ANOMALYZE_DATA_DIR: dataDir, PORT: '0' }), testLogger))
    }
    await ensurePersonalWorkspace(database.db, { id: 'user_scale' })
    secret = (await callerFor(database.db, 'user_scale').apiKeys.create({ name: 'lb', scopes: ['ingest:write'] })).secret
  })
  afterAll(async () => {
    for (const app of apps) await app.stop()
    await database.drop()
  })

  it('loses no feature-state update when both instances take the same accounts', async () => {
    const stream = [...generateTransactions({ seed: 5, customers: 30, terminals: 80, days: 20, txIdPrefix: 'lb' })].map((g) => g.transaction)
    expect(stream.length).toBeGreaterThan(300)
    const batches: (typeof stream)[] = []
    for (let i = 0; i < stream.length; i += 40) batches.push(stream.slice(i, i + 40))

    const responses = await Promise.all(
      batches.map((batch, i) =>
        fetch(`${apps[i % 2]!.url}/trpc/ingest.transactions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
          body: JSON.stringify({ transactions: batch }),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as any })),
      ),
    )
    for (const response of responses) expect(response.status, JSON.stringify(response.body)).toBe(200)
    const accepted = responses.reduce((sum, r) => sum + (r.body.result.data.accepted as number), 0)
    expect(accepted).toBe(stream.length)

    const expected = new Map<string, number>()
    for (const t of stream) expected.set(t.accountId, (expected.get(t.accountId) ?? 0) + 1)
    const states = await database.db.accountFeatureState.findMany({ where: { orgId: 'user_scale' } })
    const totals = new Map(states.map((s) => [s.accountId, (s.state as unknown as AccountState).total]))
    expect(totals).toEqual(expected)

    // Each instance meters in memory and writes once a second: write now, then read.
    for (const app of apps) await flushRealtimeUsage(app.db)
    const usage = await database.db.apiKeyUsage.findMany({ where: { orgId: 'user_scale' } })
    expect(usage.map((u) => [u.requests, u.transactions])).toEqual([[batches.length, stream.length]])
  })
})
