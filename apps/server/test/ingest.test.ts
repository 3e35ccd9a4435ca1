import { randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { type TTransactionInput } from '@anomalyze/shared'
import { generateTransactions } from '@anomalyze/shared/engine'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApp, type RunningApp } from '../src/app/start-app.ts'
import { loadEnv } from '../src/env.ts'
import { ingestTransactions } from '../src/services/ingestion/ingest-transactions.ts'
import { callerFor } from './helpers/caller.ts'
import { createTestServices, type TestServices } from './helpers/test-services.ts'
import { testLogger } from './helpers/silent-logger.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'
import { ensurePersonalWorkspace } from '../src/services/organizations/workspaces.ts'

const sample = (overrides: Partial<TTransactionInput> = {}): TTransactionInput => ({
  txId: `tx-${randomUUID()}`,
  timestamp: '2026-03-01T10:00:00Z',
  amount: 42.5,
  currency: 'INR',
  accountId: 'C1',
  merchantId: 'M1',
  ...overrides,
})

describe('real-time ingestion', () => {
  let database: TestDatabase
  let services: TestServices

  beforeAll(async () => {
    database = await createTestDatabase()
    services = await createTestServices()
    for (const id of ['user_ingest', 'user_busy']) await ensurePersonalWorkspace(database.db, { id })
  })
  afterAll(async () => {
    await services.close()
    await database.drop()
  })

  it('accepts valid items, rejects bad ones with field errors, in one call', async () => {
    const good = sample()
    const result = await callerFor(database.db, 'user_ingest').ingest.transactions({
      transactions: [good, { ...sample(), amount: 'ten' }, { ...sample(), colour: 'red' }, { txId: 'x' }],
    })
    expect(result.items.map((i) => i.outcome)).toEqual(['accepted', 'rejected', 'rejected', 'rejected'])
    const rejected = result.items.filter((i) => i.outcome === 'rejected')
    expect(rejected[0]).toMatchObject({ index: 1, errors: [{ field: 'amount' }] })
    expect(rejected[1]!.errors[0]!.message).toMatch(/colour/)
    expect(rejected[2]!.errors.map((e) => e.field).sort()).toEqual(['accountId', 'amount', 'merchantId', 'timestamp'])
    expect(await database.db.transaction.count({ where: { orgId: 'user_ingest', txId: good.txId } })).toBe(1)
  })

  it('stores every field as sent: UTC time to the millisecond, exact amount, optional fields, metadata', async () => {
    const full = sample({
      timestamp: '2026-03-01T23:59:58.123Z',
      amount: 1234567.8912,
      category: 'grocery',
      country: 'IN',
      channel: 'pos',
      latitude: 12.97,
      longitude: 77.59,
      metadata: { terminal: 'T-9', tags: ['a', 'b'] },
    })
    const bare = sample()
    await callerFor(database.db, 'user_ingest').ingest.transactions({ transactions: [full, bare] })
    const rows = await database.db.transaction.findMany({ where: { txId: { in: [full.txId, bare.txId] } } })
    const stored = rows.find((r) => r.txId === full.txId)
    expect(stored?.timestamp.toISOString()).toBe('2026-03-01T23:59:58.123Z')
    expect(stored?.amount.toString()).toBe('1234567.8912')
    expect(stored).toMatchObject({
      category: 'grocery',
      country: 'IN',
      channel: 'pos',
      latitude: 12.97,
      longitude: 77.59,
      source: 'REALTIME_API',
      batchJobId: null,
    })
    expect(stored?.raw).toEqual({ metadata: { terminal: 'T-9', tags: ['a', 'b'] } })
    expect(stored?.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(rows.find((r) => r.txId === bare.txId)).toMatchObject({ category: null, country: null, latitude: null, raw: null })
  })

  it('refuses an oversized batch, naming the limit', async () => {
    const error = await callerFor(database.db, 'user_ingest')
      .ingest.transactions({ transactions: Array.from({ length: 1_001 }, () => sample()) })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'BAD_REQUEST' })
    expect(String((error as Error).message)).toMatch(/at most 1000 transactions/)
  })

  it('keeps quotes, backslashes and SQL in values as data (statements carry values as literals)', async () => {
    const nasty = sample({
      txId: `it's \\ "quoted" '); DROP TABLE "Transaction"; -- ${randomUUID()}`,
      accountId: "O'Brien\\",
      merchantId: "M $$ E'x' ₹",
      category: "caf\u00e9's",
      metadata: { note: 'back\\slash \' quote " dq', nested: { k: ['\\n', "''"] } },
    })
    const result = await callerFor(database.db, 'user_ingest').ingest.transactions({ transactions: [nasty] })
    expect(result.items[0]).toMatchObject({ outcome: 'accepted' })
    const stored = await database.db.transaction.findFirstOrThrow({ where: { orgId: 'user_ingest', txId: nasty.txId } })
    expect(stored).toMatchObject({ accountId: nasty.accountId, merchantId: nasty.merchantId, category: nasty.category })
    expect(stored.raw).toEqual({ metadata: nasty.metadata })
    const states = await database.db.merchantFeatureState.count({ where: { orgId: 'user_ingest', merchantId: nasty.merchantId } })
    expect(states).toBe(1)
  })

  it("rejects a NUL character in a value as that item's field error, and stores the rest", async () => {
    const good = sample()
    const result = await callerFor(database.db, 'user_ingest').ingest.transactions({
      transactions: [sample({ merchantId: 'M\u00001' }), good, sample({ metadata: { note: 'a\u0000b' } })],
    })
    expect(result.items.map((i) => i.outcome)).toEqual(['rejected', 'accepted', 'rejected'])
    expect(result.items[0]).toMatchObject({ errors: [{ field: 'merchantId' }] })
    expect(result.items[2]).toMatchObject({ errors: [{ field: 'metadata.note' }] })
  })

  it('rejects an item the database refuses as data, and stores the others of the call', async () => {
    // Validation keeps out what Postgres cannot store; this stands for anything it still
    // refuses: a trigger raising a data exception (SQLSTATE 22023) for one marker merchant.
    await database.db.$executeRawUnsafe(`
      CREATE OR REPLACE FUNCTION test_refuse_marker() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW."merchantId" = 'M-REFUSED' THEN RAISE EXCEPTION 'merchant % is refused by a test constraint', NEW."merchantId" USING ERRCODE = '22023'; END IF;
        RETURN NEW;
      END $$`)
    // Raised at COMMIT, after the call's anomalies were scored: those of the rolled-back attempt must not be reported.
    await database.db.$executeRawUnsafe(
      `CREATE CONSTRAINT TRIGGER test_refuse_marker AFTER INSERT ON "Transaction" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_refuse_marker()`,
    )
    try {
      // Large amounts from a fresh account: scored as anomalies.
      const items = [1, 2, 3, 4, 5].map((i) =>
        sample({ accountId: `C-refuse-${randomUUID()}`, amount: 900_000 + i, ...(i === 3 ? { merchantId: 'M-REFUSED' } : {}) }),
      )
      const result = await callerFor(database.db, 'user_ingest').ingest.transactions({ transactions: items })
      expect(result.items.map((i) => i.outcome)).toEqual(['accepted', 'accepted', 'rejected', 'accepted', 'accepted'])
      expect(result.items[2]).toMatchObject({
        txId: items[2]!.txId,
        errors: [{ field: '(item)', message: 'could not be stored: merchant M-REFUSED is refused by a test constraint' }],
      })
      expect(result).toMatchObject({ accepted: 4, rejected: 1, duplicates: 0 })
      expect(await database.db.transaction.count({ where: { txId: { in: items.map((i) => i.txId) } } })).toBe(4)
      const anomalyIds = result.anomalies.map((a) => a.id)
      expect(anomalyIds.length).toBeGreaterThan(0)
      expect(result.anomalies.map((a) => a.txId)).not.toContain(items[2]!.txId)
      expect(await database.db.anomaly.count({ where: { id: { in: anomalyIds } } })).toBe(anomalyIds.length)
    } finally {
      await database.db.$executeRawUnsafe(`DROP TRIGGER test_refuse_marker ON "Transaction"`)
    }
  })

  it('never stores a txId twice: in one call, across calls, and under concurrent retries', async () => {
    const caller = callerFor(database.db, 'user_ingest')
    const repeated = sample()
    const first = await caller.ingest.transactions({ transactions: [repeated, repeated] })
    expect(first.items.map((i) => i.outcome)).toEqual(['accepted', 'duplicate'])
    const again = await caller.ingest.transactions({ transactions: [repeated] })
    expect(again.items[0]!.outcome).toBe('duplicate')

    const racing = sample()
    const results = await Promise.all(Array.from({ length: 6 }, () => caller.ingest.transactions({ transactions: [racing] })))
    expect(results.map((r) => r.items[0]!.outcome).sort()).toEqual(['accepted', 'duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate'])
    expect(await database.db.transaction.count({ where: { txId: { in: [repeated.txId, racing.txId] } } })).toBe(2)
  })

  it('scores every new transaction and records anomalies with severity, rules and an explanation', async () => {
    const stream = [...generateTransactions({ seed: 11, customers: 60, terminals: 120, days: 20, txIdPrefix: 'gen' })]
    let anomalies = 0
    for (let i = 0; i < stream.length; i += 500) {
      const batch = stream.slice(i, i + 500).map((g) => ({ ...g.transaction }))
      const result = await ingestTransactions(database.db, services.models, 'user_busy', batch)
      expect(result.rejected).toBe(0)
      anomalies += result.anomalies.length
    }
    expect(anomalies).toBeGreaterThan(0)
    expect(anomalies).toBeLessThan(stream.length * 0.2)
    const stored = await database.db.anomaly.findMany({ where: { orgId: 'user_busy' }, take: 50 })
    for (const anomaly of stored) {
      expect(anomaly.score).toBeGreaterThanOrEqual(0)
      expect(anomaly.score).toBeLessThanOrEqual(1)
      expect(anomaly.explanation.length).toBeGreaterThan(10)
      expect(anomaly.modelVersion).toMatch(/^default@/)
      expect(anomaly.severity !== 'LOW' || anomaly.ruleViolations.length > 0).toBe(true)
    }
    const states = await database.db.accountFeatureState.count({ where: { orgId: 'user_busy' } })
    expect(states).toBe(new Set(stream.map((g) => g.transaction.accountId)).size)
  })
})

describe('hostile text over HTTP: one bad item never fails the call', () => {
  let database: TestDatabase
  let app: RunningApp

  beforeAll(async () => {
    database = await createTestDatabase()
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'anomalyze-ingest-'))
    app = await startApp(loadEnv({ DATABASE_URL: database.url, ANOMALYZE_DATA_DIR: dataDir, PORT: '0' }), testLogger)
  })
  afterAll(async () => {
    await app.stop()
    await database.drop()
  })

  /** Posts a body written by hand, so escapes such as a lone `\ud83d` reach the server as sent. */
  const post = async (body: string) => {
    const response = await fetch(`${app.url}/trpc/ingest.transactions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.localToken as string}`, 'content-type': 'application/json' },
      body,
    })
    return { status: response.status, body: (await response.json()) as Record<string, any> }
  }
  const item = (txId: string, extra = '') => `{"txId":"${txId}","timestamp":"2026-03-01T10:00:00Z","amount":12.5,"accountId":"C1","merchantId":"M1"${extra}}`

  it('answers 200, stores the good items and rejects a lone surrogate and 5,000-deep metadata by field', async () => {
    const run = randomUUID()
    const deep = `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`
    const items = [
      item(`good-1-${run}`),
      item(`surrogate-${run}`, ',"category":"half \\ud83d of an emoji"'),
      item(`deep-${run}`, `,"metadata":${deep}`),
      item(`meta-surrogate-${run}`, ',"metadata":{"note":{"text":"\\ude00"}}'),
      item(`proto-${run}`, ',"metadata":{"__proto__":{"admin":true}}'),
      `{"txId":"future-${run}","timestamp":1e17,"amount":1,"accountId":"C1","merchantId":"M1"}`, // past JavaScript's dates
      item(`good-2-${run}`, ',"category":"😀 emoji whole","metadata":{"constructor":"kept","prototype":{"x":[1]}}'),
    ]
    const { status, body } = await post(`{"transactions":[${items.join(',')}]}`)
    expect(status).toBe(200)
    const result = body.result.data as { accepted: number; rejected: number; items: { outcome: string; errors?: { field: string; message: string }[] }[] }
    expect(result.items.map((i) => i.outcome)).toEqual(['accepted', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'accepted'])
    expect(result.items[1]!.errors).toEqual([{ field: 'category', message: expect.stringMatching(/surrogate/) }])
    expect(result.items[2]!.errors).toHaveLength(1)
    expect(result.items[2]!.errors![0]!.field).toBe(`metadata${'.a'.repeat(33)}`)
    expect(result.items[2]!.errors![0]!.message).toMatch(/nested at most 32 levels/)
    expect(result.items[3]!.errors).toEqual([{ field: 'metadata.note.text', message: expect.stringMatching(/surrogate/) }])
    expect(result.items[4]!.errors).toEqual([{ field: 'metadata.__proto__', message: expect.stringMatching(/reserved key/) }])
    expect(new Set(result.items[5]!.errors!.map((e) => e.field))).toEqual(new Set(['timestamp']))

    const stored = await database.db.transaction.findMany({ where: { txId: { endsWith: run } }, select: { txId: true, category: true, raw: true } })
    expect(stored.map((t) => t.txId).sort()).toEqual([`good-1-${run}`, `good-2-${run}`])
    const second = stored.find((t) => t.txId === `good-2-${run}`)
    expect(second?.category).toBe('😀 emoji whole')
    expect(second?.raw).toEqual({ metadata: { constructor: 'kept', prototype: { x: [1] } } })
  })
})
