import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type { BadRow } from '../../contract/scoring.ts'
import { UPSERT_ANOMALY_SQL, type AnomalyParams } from '../store/anomaly-rows.ts'
import { INSERT_BAD_ROW_SQL, type LocalBatches } from '../store/local-batches.ts'
import { CACHE_PRAGMAS } from '../store/open-database.ts'

/**
 * Rows the worker stores per transaction (~100 us each: 25 ms). A chunk (4,096 rows)
 * in one transaction held the write lock for half a second, and a sync storing a
 * page waited for all of it; in slices the other writer gets its turn in between.
 * A chunk stays all-or-nothing where it matters: a file whose scoring did not finish
 * is removed whole (local-batches.ts).
 */
export const WORKER_SLICE_ROWS = 256

/** Stores a scored file's queue rows and bad rows, one transaction per chunk. */
export interface AlertWriter {
  /** Where the rows are written: a worker thread's connection, or the core's own. */
  readonly thread: 'worker' | 'core'
  /** Resolves once the previous chunk is stored: at most two chunks are in flight. */
  add(alerts: AnomalyParams[], badRows: BadRow[]): Promise<void>
  /** Waits for every chunk to be stored (or fails with the first error), then stops. */
  close(): Promise<void>
}

/**
 * The queue's indexes and word index make each stored row cost ~100 us; a file's
 * alerts would hold up reading and feature work on the core's thread. So they are
 * written by a second SQLite connection on a worker thread (WAL lets the UI read on
 * while it writes), overlapping the next chunk. Where no worker can open the cache (an
 * in-memory database, a worker that fails to start) the core's own connection does it.
 */
export async function openAlertWriter(db: { name: string; memory: boolean }, batchId: string, batches: LocalBatches): Promise<AlertWriter> {
  if (!db.memory) {
    const worker = await startWorker(db.name).catch(() => null)
    if (worker !== null) return workerWriter(worker, batchId)
  }
  return {
    thread: 'core',
    add: async (alerts, badRows) => batches.addChunk(batchId, alerts, badRows),
    close: async () => undefined,
  }
}

// Plain CommonJS in a string rather than a file next to this one: the Electron build
// bundles this module, and a worker file beside it would not be there. better-sqlite3
// is resolved here (it stays an external, native module in every build). The
// connection gets the cache's pragmas (busy timeout included) from open-database.ts,
// like every other connection; its transactions are IMMEDIATE (see writeTransaction)
// and bounded to WORKER_SLICE_ROWS rows.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.sqlite)
const db = new Database(workerData.file)
for (const pragma of workerData.pragmas) db.pragma(pragma)
const upsert = db.prepare(workerData.upsertSql)
const insertBadRow = db.prepare(workerData.badRowSql)
const addSlice = db.transaction((batchId, alerts, badRows) => {
  for (const a of alerts) upsert.run(a)
  for (const b of badRows) insertBadRow.run(batchId, b.line, b.field, b.reason)
})
const slice = workerData.sliceRows
const add = (batchId, alerts, badRows) => {
  for (let at = 0; at < alerts.length; at += slice) addSlice.immediate(batchId, alerts.slice(at, at + slice), [])
  for (let at = 0; at < badRows.length; at += slice * 4) addSlice.immediate(batchId, [], badRows.slice(at, at + slice * 4))
}
parentPort.on('message', (m) => {
  if (m === 'close') {
    db.close()
    parentPort.close()
    return
  }
  try {
    add(m.batchId, m.alerts, m.badRows)
    parentPort.postMessage({ id: m.id })
  } catch (error) {
    parentPort.postMessage({ id: m.id, error: error instanceof Error ? error.message : String(error) })
  }
})
parentPort.postMessage({ ready: true })
`

type Reply = { ready: true } | { id: number; error?: string }

function startWorker(file: string): Promise<Worker> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      file,
      sqlite: createRequire(import.meta.url).resolve('better-sqlite3'),
      pragmas: CACHE_PRAGMAS,
      sliceRows: WORKER_SLICE_ROWS,
      upsertSql: UPSERT_ANOMALY_SQL,
      badRowSql: INSERT_BAD_ROW_SQL,
    },
  })
  return new Promise((resolve, reject) => {
    const failed = (error: Error): void => reject(error)
    worker.once('error', failed)
    worker.once('message', (reply: Reply) => {
      worker.off('error', failed)
      if ('ready' in reply) resolve(worker)
      else reject(new Error('the SQLite worker did not start'))
    })
  })
}

function workerWriter(worker: Worker, batchId: string): AlertWriter {
  const waiting = new Map<number, { resolve: () => void; reject: (error: Error) => void }>()
  let nextId = 0
  let failure: Error | null = null
  const fail = (error: Error): void => {
    failure ??= error
    for (const w of waiting.values()) w.reject(error)
    waiting.clear()
  }
  worker.on('message', (reply: Reply) => {
    if ('ready' in reply) return
    const w = waiting.get(reply.id)
    waiting.delete(reply.id)
    if (reply.error === undefined) w?.resolve()
    else {
      const error = new Error(`storing scored rows failed: ${reply.error}`)
      w?.reject(error)
      fail(error)
    }
  })
  worker.on('error', fail)
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      fail(new Error('the SQLite worker stopped'))
      resolve()
    }),
  )
  let previous: Promise<void> = Promise.resolve()
  const send = (alerts: AnomalyParams[], badRows: BadRow[]): Promise<void> => {
    if (failure !== null) return Promise.reject(failure)
    const id = nextId++
    const stored = new Promise<void>((resolve, reject) => waiting.set(id, { resolve, reject }))
    // Awaited by the next add or by close; a failure must not go unhandled meanwhile.
    stored.catch(() => undefined)
    worker.postMessage({ id, batchId, alerts, badRows })
    return stored
  }
  return {
    thread: 'worker',
    async add(alerts, badRows) {
      if (alerts.length === 0 && badRows.length === 0) return previous
      const before = previous
      previous = send(alerts, badRows)
      await before
    },
    async close() {
      try {
        await previous
      } finally {
        worker.postMessage('close')
        await exited
      }
    },
  }
}
