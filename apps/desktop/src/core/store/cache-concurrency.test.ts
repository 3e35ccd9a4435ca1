import { createRequire } from 'node:module'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { AppError } from '@anomalyze/shared'
import { afterEach, describe, expect, it } from 'vitest'
import { createCore } from '../create-core.ts'
import { CACHE_WAIT_MESSAGE, SyncEngine } from '../sync/sync-engine.ts'
import { FakeSyncServer } from '../../../test/support/fake-sync-server.ts'
import { makeAnomaly, tempStore } from '../../../test/support/fixtures.ts'
import { writeGeneratedCsv } from '../../../test/support/generated-csv.ts'
import type { LocalStore } from './local-store.ts'
import { CACHE_BUSY_TIMEOUT_MS, CACHE_PRAGMAS, isCacheBusy } from './open-database.ts'

const cleanups: Array<() => void | Promise<void>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

// A second connection on another thread (as the scoring worker is) that takes the
// write lock, holds it for `ms`, then commits.
const HOLDER = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.sqlite)
const db = new Database(workerData.file)
for (const pragma of workerData.pragmas) db.pragma(pragma)
db.prepare('BEGIN IMMEDIATE').run()
db.prepare("INSERT INTO sync_state (key, value) VALUES ('user', 'held') ON CONFLICT (key) DO UPDATE SET value = excluded.value").run()
parentPort.postMessage('holding')
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.ms)
db.prepare('COMMIT').run()
db.close()
parentPort.postMessage('committed')
`

async function holdWriteLock(file: string, ms: number): Promise<{ committed: Promise<void> }> {
  const worker = new Worker(HOLDER, {
    eval: true,
    workerData: { file, ms, pragmas: CACHE_PRAGMAS, sqlite: createRequire(import.meta.url).resolve('better-sqlite3') },
  })
  const messages: string[] = []
  const waiters: Array<() => void> = []
  worker.on('message', (m: string) => {
    messages.push(m)
    for (const w of waiters.splice(0)) w()
  })
  const until = (m: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => (messages.includes(m) ? resolve() : void waiters.push(check))
      worker.once('error', reject)
      check()
    })
  await until('holding')
  return { committed: until('committed').then(() => worker.terminate().then(() => undefined)) }
}

describe('two writers on the cache', () => {
  it('opens every connection with WAL and a generous busy timeout', () => {
    const { store, cleanup } = tempStore()
    cleanups.push(cleanup)
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(CACHE_BUSY_TIMEOUT_MS)
    expect(CACHE_BUSY_TIMEOUT_MS).toBeGreaterThanOrEqual(30_000)
  })

  it('a write waits for another connection holding a write transaction, and succeeds', async () => {
    const { store, file, cleanup } = tempStore()
    cleanups.push(cleanup)
    // A plain statement.
    let holder = await holdWriteLock(file, 400)
    let started = performance.now()
    store.state.set('serverUrl', 'http://127.0.0.1:1')
    expect(performance.now() - started).toBeGreaterThan(250)
    await holder.committed
    expect(store.state.get('serverUrl')).toBe('http://127.0.0.1:1')
    expect(store.state.get('user')).toBe('held')

    // A transaction that reads before it writes (a sync page: the cursor, then rows).
    const page = await new FakeSyncServer(Array.from({ length: 5 }, (_, i) => makeAnomaly(i))).client().pull({ cursor: null, limit: 10, withTotal: true })
    holder = await holdWriteLock(file, 400)
    started = performance.now()
    store.applyPage(page, 1)
    expect(performance.now() - started).toBeGreaterThan(250)
    await holder.committed
    expect(store.countServerAnomalies()).toBe(5)

    // Why write transactions take the lock first: a deferred one that has read cannot
    // wait for it, and SQLite answers SQLITE_BUSY at once whatever the timeout.
    holder = await holdWriteLock(file, 400)
    const deferred = store.db.transaction(() => {
      store.state.get('cursor')
      store.state.set('cursor', 'x')
    })
    expect(() => deferred()).toThrow(expect.objectContaining({ code: expect.stringMatching(/^SQLITE_BUSY/) }) as Error)
    await holder.committed
  })
})

describe('the sync engine and a busy cache', () => {
  function setup(store: LocalStore, server: FakeSyncServer, busyOn: (call: number) => boolean) {
    let calls = 0
    const busyStore: LocalStore = {
      ...store,
      applyPage: (page, now) => {
        calls += 1
        if (busyOn(calls)) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' })
        store.applyPage(page, now)
      },
    }
    return new SyncEngine({ store: busyStore, createClient: () => server.client(), pullPageSize: 10, now: () => 50_000, cacheRetryMs: 5 })
  }

  it('stores the page again once the cache is free, and never reports a sync error', async () => {
    const { store, cleanup } = tempStore()
    cleanups.push(cleanup)
    const server = new FakeSyncServer(Array.from({ length: 30 }, (_, i) => makeAnomaly(i)))
    const engine = setup(store, server, (call) => call === 2 || call === 3)
    await engine.signIn('http://127.0.0.1:1', 'token')
    expect(await engine.syncNow()).toMatchObject({ state: 'idle', error: null, cachedAnomalies: 30 })
  })

  it('leaves a page the cache stays busy for to the next run, saying it waits for the cache', async () => {
    const { store, cleanup } = tempStore()
    cleanups.push(cleanup)
    const server = new FakeSyncServer(Array.from({ length: 30 }, (_, i) => makeAnomaly(i)))
    let busy = true
    const engine = setup(store, server, (call) => busy && call >= 2)
    await engine.signIn('http://127.0.0.1:1', 'token')
    const waiting = await engine.syncNow()
    expect(waiting).toMatchObject({ state: 'idle', error: CACHE_WAIT_MESSAGE, cachedAnomalies: 10 })
    busy = false
    // The next tick resumes after the last stored page.
    const cursor = store.state.get('cursor')
    expect(await engine.syncNow()).toMatchObject({ state: 'idle', error: null, cachedAnomalies: 30 })
    expect(server.pullCursors).toContain(cursor)
  })

  it('tells a busy cache from other errors', () => {
    expect(isCacheBusy(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY_SNAPSHOT' }))).toBe(true)
    expect(isCacheBusy(Object.assign(new Error('no such table'), { code: 'SQLITE_ERROR' }))).toBe(false)
    expect(isCacheBusy(new Error('fetch failed'))).toBe(false)
  })
})

describe('scoring a file while a sync runs', () => {
  it('both complete, with every row and every anomaly stored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anomalyze-cache-concurrency-'))
    const server = new FakeSyncServer(Array.from({ length: 25_000 }, (_, i) => makeAnomaly(i)))
    // The fake speaks sync only; the core also asks for the active model (the shipped one here).
    const createClient = (): ReturnType<FakeSyncServer['client']> => ({
      ...server.client(),
      call: async (_type, path) => {
        if (path === 'models.active') return { version: 'default', sha256: null, files: [] }
        // What a server without the procedure answers (cases.pull of a server before cases).
        throw new AppError('NOT_FOUND', `not in this test: ${path}`)
      },
    })
    const core = createCore({ dataDir: join(dir, 'data'), createClient })
    cleanups.push(async () => {
      await core.close()
      rmSync(dir, { recursive: true, force: true })
    })
    await core.sync.signIn('http://127.0.0.1:1', 'token')
    const path = join(dir, 'big.csv')
    writeFileSync(path, '')
    const badLines = writeGeneratedCsv(path, { rows: 20_000, badAt: [100, 15_000] })
    core.scoring.allowPath(path, 'read')
    const mapping = { txId: 0, timestamp: 1, accountId: 2, merchantId: 3, amount: 4, currency: 5 }
    const started = await core.handlers['scoring.start']({ source: { path }, mapping })
    if (started.error !== undefined) throw new Error(started.error.message)
    const [job, status] = await Promise.all([core.scoring.settled((started.data as { jobId: string }).jobId), core.sync.syncNow()])

    expect(status).toMatchObject({ state: 'idle', error: null, cachedAnomalies: 25_000 })
    expect(job).toMatchObject({ state: 'done', error: null, rowsRead: 20_000, badRowCount: 2 })
    expect(job.badRows.map((b) => b.line)).toEqual(badLines)
    expect(job.scored + job.badRowCount).toBe(20_000)
    const stored = core.store.db.prepare('SELECT COUNT(*) FROM anomalies WHERE batch_id = ?').pluck().get(job.batchId)
    expect(stored).toBe(job.alerts)
  })
})
