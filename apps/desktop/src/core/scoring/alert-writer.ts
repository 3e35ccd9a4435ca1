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
 * The worker's plain-JavaScript entry, beside this module. A bundle that moves this
 * module copies the entry next to it and passes its URL as `workerEntry` (CoreOptions.alertWriterWorker).
 */
export const ALERT_WRITER_WORKER = new URL('./alert-writer-worker.mjs', import.meta.url)

/**
 * The queue's indexes and word index make each stored row cost ~100 us; a file's
 * alerts would hold up reading and feature work on the core's thread. So they are
 * written by a second SQLite connection on a worker thread (WAL lets the UI read on
 * while it writes), overlapping the next chunk. Where no worker can open the cache (an
 * in-memory database, a worker that fails to start) the core's own connection does it.
 */
export async function openAlertWriter(
  db: { name: string; memory: boolean },
  batchId: string,
  batches: LocalBatches,
  workerEntry: URL = ALERT_WRITER_WORKER,
): Promise<AlertWriter> {
  if (!db.memory) {
    const worker = await startWorker(workerEntry, db.name).catch(() => null)
    if (worker !== null) return workerWriter(worker, batchId)
  }
  return {
    thread: 'core',
    add: async (alerts, badRows) => batches.addChunk(batchId, alerts, badRows),
    close: async () => undefined,
  }
}

type Reply = { ready: true } | { id: number; error?: string }

function startWorker(entry: URL, file: string): Promise<Worker> {
  const worker = new Worker(entry, {
    // Plain JavaScript: it needs no TypeScript loader from the parent's flags (`--import tsx`).
    execArgv: [],
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
