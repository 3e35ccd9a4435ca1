import { randomUUID } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { toAnomalyParams } from '../store/anomaly-rows.ts'
import { openLocalStore, type LocalStore } from '../store/local-store.ts'
import { makeAnomaly, tempStore } from '../../../test/support/fixtures.ts'
import { openAlertWriter } from './alert-writer.ts'

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

function newBatch(store: LocalStore): string {
  const batchId = `local_${randomUUID()}`
  store.batches.create({ id: batchId, name: 'file.csv', sourcePath: null, modelVersion: 'default@1.0.0', now: 1 })
  return batchId
}

/** Three chunks of queue rows and bad rows, written and then read back on the core's connection. */
async function writeChunks(store: LocalStore, expectedThread: 'worker' | 'core'): Promise<void> {
  const batchId = newBatch(store)
  const writer = await openAlertWriter(store.db, batchId, store.batches)
  expect(writer.thread).toBe(expectedThread)
  for (let c = 0; c < 3; c += 1) {
    const alerts = Array.from({ length: 50 }, (_, i) => toAnomalyParams(makeAnomaly(c * 50 + i, { id: `${batchId}:${c * 50 + i + 2}` }), batchId))
    await writer.add(alerts, [{ line: 1_000 + c, field: 'amount', reason: `bad ${c}` }])
  }
  await writer.close()
  expect(store.db.prepare('SELECT COUNT(*) FROM anomalies WHERE batch_id = ?').pluck().get(batchId)).toBe(150)
  expect(store.batches.badRows(batchId, 0, 10)).toEqual({ total: 3, rows: [0, 1, 2].map((c) => ({ line: 1_000 + c, field: 'amount', reason: `bad ${c}` })) })
  expect(store.queue.snapshot({ filters: { batchId }, sort: 'severity' }).total).toBe(150)
  // The word index saw the rows too (its trigger runs on whichever connection writes).
  expect(store.queue.snapshot({ filters: { batchId, text: 'tx_000149' }, sort: 'severity' }).total).toBe(1)
}

describe('openAlertWriter', () => {
  it('stores chunks through a second connection on a worker thread for a cache on disk', async () => {
    const { store, cleanup } = tempStore()
    cleanups.push(cleanup)
    await writeChunks(store, 'worker')
  })

  it("falls back to the core's own connection for an in-memory cache", async () => {
    const store = openLocalStore(':memory:')
    cleanups.push(() => store.close())
    await writeChunks(store, 'core')
  })

  it('fails the job with the reason when a chunk cannot be stored, and stops the worker', async () => {
    const { store, cleanup } = tempStore()
    cleanups.push(cleanup)
    const batchId = newBatch(store)
    const writer = await openAlertWriter(store.db, batchId, store.batches)
    const row = toAnomalyParams(makeAnomaly(1, { id: `${batchId}:2` }), batchId)
    await writer.add([row], [])
    // The same id twice in one chunk violates nothing (upsert); a row without an amount does.
    await writer.add([{ ...row, id: `${batchId}:3`, amount: null as unknown as number }], [])
    await expect(writer.close()).rejects.toThrow(/storing scored rows failed: NOT NULL constraint failed: anomalies.amount/)
    // The chunk before the failure is stored; the failed one is not.
    expect(store.db.prepare('SELECT id FROM anomalies WHERE batch_id = ?').pluck().all(batchId)).toEqual([`${batchId}:2`])
  })
})
