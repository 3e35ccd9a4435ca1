import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readHistoryPages } from '../src/services/training/read-history-pages.ts'
import { ensurePersonalWorkspace } from '../src/services/organizations/workspaces.ts'
import { streamTrainingSet } from '../src/services/training/stream-training-set.ts'
import { callerFor } from './helpers/caller.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'
import { createTestServices, type TestServices } from './helpers/test-services.ts'

/**
 * Training and the model preview read the history with plain `pg` on their own threads.
 * "Transaction".timestamp has no time zone; pg would turn it into a JS Date in the
 * process's local zone, so a server run outside UTC (an operator in India: +05:30)
 * would train on hours shifted from the ones ingestion scored. Both readers must give
 * back exactly the instants that were ingested, whatever TZ the process runs in.
 */
describe('history readers and the process time zone', () => {
  let database: TestDatabase
  let services: TestServices
  const userId = 'user_history_tz'
  const sent = [Date.UTC(2026, 0, 3, 23, 50, 0, 125), Date.UTC(2026, 0, 4, 0, 10), Date.UTC(2026, 6, 1, 12, 0)]
  const savedTz = process.env.TZ

  beforeAll(async () => {
    database = await createTestDatabase()
    services = await createTestServices({ databaseUrl: database.url, env: { RETRAIN_AFTER_LABELS: '0' } })
    await ensurePersonalWorkspace(database.db, { id: userId, name: 'Zone' })
    const result = await callerFor(database.db, userId, { name: 'Zone' }, services).ingest.transactions({
      transactions: sent.map((timestamp, i) => ({ txId: `tz_${i}`, timestamp, amount: 10 + i, currency: 'INR', accountId: 'C1', merchantId: 'M1' })),
    })
    expect(result).toMatchObject({ accepted: sent.length, rejected: 0 })
  })
  afterAll(async () => {
    if (savedTz === undefined) delete process.env.TZ
    else process.env.TZ = savedTz
    await services?.close()
    await database?.drop()
  })

  it.each(['Asia/Kolkata', 'America/Los_Angeles'])('reads the ingested instants back unchanged in %s', async (zone) => {
    process.env.TZ = zone
    // The zone took effect for this process's dates (what pg's parser uses).
    expect(new Date(Date.UTC(2026, 0, 1)).getTimezoneOffset()).not.toBe(0)
    const client = new pg.Client({ connectionString: database.url })
    await client.connect()
    try {
      const read: number[] = []
      for await (const page of readHistoryPages(client, userId, 2)) read.push(...page.map((r) => r.tx.timestamp))
      expect(read).toEqual(sent)
      const set = await streamTrainingSet(client, userId, { pageRows: 2 })
      expect(Array.from(set.timestamps)).toEqual(sent)
      expect(set.firstTimestamp).toBe(sent[0])
    } finally {
      await client.end()
      process.env.TZ = savedTz ?? 'UTC'
    }
  })

  it('stores what ingestion receives at the instant sent when the server runs in Asia/Kolkata', async () => {
    process.env.TZ = 'Asia/Kolkata'
    try {
      const at = Date.UTC(2026, 1, 10, 22, 15, 30, 250)
      const result = await callerFor(database.db, userId, { name: 'Zone' }, services).ingest.transactions({
        transactions: [{ txId: 'tz_ist', timestamp: at, amount: 99, currency: 'INR', accountId: 'C2', merchantId: 'M2' }],
      })
      expect(result).toMatchObject({ accepted: 1, rejected: 0 })
      const stored = await database.db.transaction.findFirstOrThrow({ where: { orgId: userId, txId: 'tz_ist' }, select: { timestamp: true, createdAt: true } })
      expect(stored.timestamp.getTime()).toBe(at)
      // Rows the hot path writes itself carry the time of writing, not one shifted by the zone.
      expect(Math.abs(stored.createdAt.getTime() - Date.now())).toBeLessThan(60 * 60 * 1000)
    } finally {
      process.env.TZ = savedTz ?? 'UTC'
    }
  })
})
