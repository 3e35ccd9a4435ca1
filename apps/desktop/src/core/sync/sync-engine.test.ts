import { afterEach, describe, expect, it } from 'vitest'
import { openLocalStore, type LocalStore } from '../store/local-store.ts'
import { FakeSyncServer } from '../../../test/support/fake-sync-server.ts'
import { makeAnomaly, tempStore } from '../../../test/support/fixtures.ts'
import { SyncEngine } from './sync-engine.ts'

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

function setup(count: number, pageSize = 10, bulkLoadMinRows?: number) {
  const temp = tempStore()
  cleanups.push(temp.cleanup)
  const server = new FakeSyncServer(Array.from({ length: count }, (_, i) => makeAnomaly(i)))
  const engineFor = (store: LocalStore): SyncEngine =>
    new SyncEngine({
      store,
      createClient: () => server.client(),
      pullPageSize: pageSize,
      now: () => 50_000,
      ...(bulkLoadMinRows === undefined ? {} : { bulkLoadMinRows }),
    })
  return { ...temp, server, engineFor, engine: engineFor(temp.store) }
}

describe('sync engine against a contract-following server', () => {
  it('pulls every page until hasMore is false, reporting progress, then records the sync', async () => {
    const { store, server } = setup(35)
    const progress: unknown[] = []
    // Look at the engine's progress each time it asks for a page. Pages are fetched one
    // ahead, so a request goes out before the page before it is stored.
    const engine: SyncEngine = new SyncEngine({
      store,
      pullPageSize: 10,
      now: () => 50_000,
      createClient: () => {
        const client = server.client()
        return { ...client, pull: (input) => (progress.push(engine.status().progress), client.pull(input)) }
      },
    })
    await engine.signIn('http://127.0.0.1:1', 'token')
    const status = await engine.syncNow()
    expect(status).toMatchObject({ state: 'idle', cachedAnomalies: 35, lastSyncedAt: 50_000, activeModelVersion: '1.2.0', error: null, progress: null })
    expect(server.pullCursors).toHaveLength(4)
    expect(server.pullCursors[0]).toBeNull()
    expect(progress).toEqual([null, null, { phase: 'pull', done: 10, total: 35 }, { phase: 'pull', done: 20, total: 35 }])
    expect(server.pullCursors.slice(1).every((c) => c !== null)).toBe(true)
    // A second sync asks only for what changed after the stored cursor: nothing.
    const cursor = store.state.get('cursor')
    expect(cursor).not.toBeNull()
    await engine.syncNow()
    expect(server.pullCursors[4]).toBe(cursor)
    expect(store.queue.snapshot({ filters: {}, sort: 'time' }).total).toBe(35)
  })

  it('resumes after a crash between pages without re-pulling stored pages', async () => {
    const { store, file, engine, server, engineFor } = setup(50)
    await engine.signIn('http://127.0.0.1:1', 'token')
    server.failPullAt = 3 // pages 1 and 2 are stored, then the connection drops
    const failed = await engine.syncNow()
    expect(failed.state).toBe('offline')
    expect(failed.cachedAnomalies).toBe(20)
    expect(failed.lastSyncedAt).toBeNull()
    const cursorAfterTwoPages = store.state.get('cursor')
    expect(cursorAfterTwoPages).not.toBeNull()

    // The process dies; a new one opens the same file.
    store.close()
    const reopened = openLocalStore(file)
    cleanups.push(() => reopened.db.open && reopened.close())
    const pullsBefore = server.pullCursors.length
    const resumed = await engineFor(reopened).syncNow()
    expect(server.pullCursors[pullsBefore]).toBe(cursorAfterTwoPages)
    expect(resumed).toMatchObject({ state: 'idle', cachedAnomalies: 50 })
    expect(server.pullCursors.length - pullsBefore).toBe(3)
  })

  it('pushes queued decisions once even when an answer is lost, and takes the server status', async () => {
    const { store, engine, server } = setup(12)
    await engine.signIn('http://127.0.0.1:1', 'token')
    await engine.syncNow()
    store.outbox.record({ anomalyIds: ['an_00001', 'an_00002'], label: 'CONFIRMED_FRAUD', note: 'card test' }, engine.currentUserId(), 60_000)
    expect(engine.status().pending).toBe(2)

    server.loseNextPushAnswer = true
    const lost = await engine.syncNow()
    expect(lost.state).toBe('offline')
    expect(lost.pending).toBe(2) // applied on the server, but we never heard back
    expect(server.seenMutations.size).toBe(2)

    const retried = await engine.syncNow()
    expect(retried).toMatchObject({ state: 'idle', pending: 0, rejected: 0 })
    expect(server.seenMutations.size).toBe(2)
    const outcomes = store.db.prepare('SELECT outcome FROM outbox ORDER BY outcome').pluck().all()
    expect(outcomes).toEqual(['duplicate', 'duplicate'])
    expect(server.anomalies.get('an_00001')?.latestDecision).toMatchObject({ label: 'CONFIRMED_FRAUD', note: 'card test', decidedAt: 60_000 })
    expect(store.queue.get('an_00001').status).toBe('CONFIRMED_FRAUD')
  })

  it('keeps a newer local decision through a pull, and lets a newer server decision win', async () => {
    const { store, engine, server } = setup(5)
    await engine.signIn('http://127.0.0.1:1', 'token')
    await engine.syncNow()
    store.outbox.record({ anomalyIds: ['an_00003'], label: 'FALSE_POSITIVE' }, 'user_1', 70_000)
    server.decideElsewhere('an_00003', 'CONFIRMED_FRAUD', 65_000) // older than ours
    server.decideElsewhere('an_00004', 'NEEDS_REVIEW', 65_000)
    store.applyPage({ anomalies: [...server.anomalies.values()], nextCursor: null, hasMore: false, total: 5, activeModel: null }, 1)
    expect(store.queue.get('an_00003').status).toBe('FALSE_POSITIVE')
    expect(store.queue.get('an_00004').status).toBe('NEEDS_REVIEW')

    await engine.syncNow() // our later decision wins on the server too
    expect(server.anomalies.get('an_00003')?.status).toBe('FALSE_POSITIVE')

    store.outbox.record({ anomalyIds: ['an_00004'], label: 'CONFIRMED_FRAUD' }, 'user_1', 60_000) // clock behind
    const status = await engine.syncNow()
    expect(status.pending).toBe(0)
    expect(store.db.prepare("SELECT outcome FROM outbox WHERE anomaly_id = 'an_00004'").pluck().get()).toBe('superseded')
    expect(store.queue.get('an_00004').status).toBe('NEEDS_REVIEW')
  })

  it('reports rejected decisions and works offline, keeping decisions queued', async () => {
    const { store, engine, server } = setup(3)
    await engine.signIn('http://127.0.0.1:1', 'token')
    await engine.syncNow()
    server.anomalies.delete('an_00000')
    server.offline = true
    store.outbox.record({ anomalyIds: ['an_00000'], label: 'CONFIRMED_FRAUD' }, 'user_1', 80_000)
    expect((await engine.syncNow()).state).toBe('offline')
    expect(engine.status().pending).toBe(1)
    server.offline = false
    expect(await engine.syncNow()).toMatchObject({ state: 'idle', pending: 0, rejected: 1 })
  })

  it('refuses to sync before sign-in and forgets the token on sign-out', async () => {
    const { engine } = setup(1)
    expect(engine.status().state).toBe('signed-out')
    await expect(engine.syncNow()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' })
    await engine.signIn('http://127.0.0.1:1', 'token')
    expect(engine.status()).toMatchObject({ signedIn: true, user: { email: 'analyst@example.com' } })
    expect(engine.signOut()).toMatchObject({ signedIn: false, state: 'signed-out' })
  })

  it('stores a large first sync without indexes and puts them back, also when the connection drops mid-load', async () => {
    const { store, engine, server, file } = setup(50, 10, 30)
    const schema = () => store.db.prepare("SELECT name FROM sqlite_master WHERE tbl_name = 'anomalies' AND sql IS NOT NULL ORDER BY name").pluck().all()
    const before = schema()
    expect(before).toContain('anomalies_by_severity')
    expect(before).toContain('anomalies_fts_insert')
    const seenDuringLoad: unknown[][] = []
    server.onPull = () => seenDuringLoad.push(schema())
    await engine.signIn('http://127.0.0.1:1', 'token')
    server.failPullAt = 4
    expect((await engine.syncNow()).state).toBe('offline')
    // Pages 2 and 3 were asked for while the first pages were stored without indexes.
    expect(seenDuringLoad.some((names) => !names.includes('anomalies_by_severity') && !names.includes('anomalies_fts_insert'))).toBe(true)
    expect(schema()).toEqual(before)
    expect(store.queue.snapshot({ filters: { text: 'tx_000015' }, sort: 'time' }).total).toBe(1)

    // 20 rows to come is under the threshold now: stored row by row, indexes in place.
    seenDuringLoad.length = 0
    expect(await engine.syncNow()).toMatchObject({ state: 'idle', cachedAnomalies: 50 })
    expect(seenDuringLoad.every((names) => names.length === before.length)).toBe(true)
    expect(store.queue.snapshot({ filters: { text: 'tx_000049' }, sort: 'time' }).total).toBe(1)

    // The app dies mid-load: the next open puts the indexes back before anything reads.
    store.bulkLoad.begin()
    expect(schema()).not.toContain('anomalies_by_time')
    store.close()
    const reopened = openLocalStore(file)
    cleanups.push(() => reopened.db.open && reopened.close())
    expect(reopened.db.prepare("SELECT name FROM sqlite_master WHERE tbl_name = 'anomalies' AND sql IS NOT NULL ORDER BY name").pluck().all()).toEqual(before)
    expect(reopened.queue.snapshot({ filters: { text: 'tx_000033' }, sort: 'time' }).total).toBe(1)
  })
})
