import { afterEach, describe, expect, it } from 'vitest'
import { openLocalStore, type LocalStore } from '../store/local-store.ts'
import { ANALYST, FakeSyncServer, OTHER_ANALYST, type FakeUser } from '../../../test/support/fake-sync-server.ts'
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

  it("keeps a local decision not yet pushed through a pull, as this analyst's, then takes the server's answer", async () => {
    const { store, engine, server } = setup(5)
    await engine.signIn('http://127.0.0.1:1', 'token')
    await engine.syncNow()
    store.outbox.record({ anomalyIds: ['an_00003'], label: 'FALSE_POSITIVE' }, engine.currentDecider(), 70_000)
    const [queued] = store.outbox.takeForPush(10)
    store.outbox.releaseInFlight()
    const other = server.decideElsewhere('an_00003', 'CONFIRMED_FRAUD', 65_000)
    server.decideElsewhere('an_00004', 'NEEDS_REVIEW', 65_000)
    store.applyPage({ anomalies: [...server.anomalies.values()], nextCursor: null, hasMore: false, total: 5, activeModel: null }, 1)
    // Ours is still what this screen shows (and what a next decision would be based on), under our name.
    expect(store.queue.get('an_00003')).toMatchObject({
      status: 'FALSE_POSITIVE',
      pending: true,
      latestDecision: { label: 'FALSE_POSITIVE', decidedBy: 'Analyst', decidedById: 'user_1', mutationId: queued?.mutationId },
    })
    expect(store.queue.get('an_00004')).toMatchObject({ status: 'NEEDS_REVIEW', latestDecision: { decidedBy: 'Priya Sharma', decidedById: 'user_2' } })

    // Made without seeing Priya's decision: hers stands, whatever the clocks say.
    const status = await engine.syncNow()
    expect(status).toMatchObject({ pending: 0, conflicts: 1 })
    expect(server.anomalies.get('an_00003')?.status).toBe('CONFIRMED_FRAUD')
    expect(store.queue.get('an_00003')).toMatchObject({ status: 'CONFIRMED_FRAUD', latestDecision: { decidedBy: 'Priya Sharma', mutationId: other } })

    // A decision made after the pull showed hers is based on it: it applies.
    store.outbox.record({ anomalyIds: ['an_00004'], label: 'CONFIRMED_FRAUD' }, engine.currentDecider(), 60_000)
    expect((await engine.syncNow()).pending).toBe(0)
    expect(store.db.prepare("SELECT outcome FROM outbox WHERE anomaly_id = 'an_00004'").pluck().get()).toBe('applied')
    expect(store.queue.get('an_00004').status).toBe('CONFIRMED_FRAUD')
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

describe('team decisions: the first decision stands', () => {
  /** Two consoles of one organisation (two people, or one person's two devices) against one server. */
  async function twoConsoles(second: FakeUser) {
    const server = new FakeSyncServer(Array.from({ length: 6 }, (_, i) => makeAnomaly(i)))
    let clock = 100_000
    const open = async (user: FakeUser) => {
      const temp = tempStore()
      cleanups.push(temp.cleanup)
      const engine = new SyncEngine({ store: temp.store, createClient: () => server.client(user), now: () => clock })
      await engine.signIn('http://127.0.0.1:1', 'token')
      await engine.syncNow()
      return {
        store: temp.store,
        engine,
        decide: (id: string, label: 'CONFIRMED_FRAUD' | 'FALSE_POSITIVE' | 'NEEDS_REVIEW', note?: string) => {
          clock += 1_000
          return temp.store.outbox.record({ anomalyIds: [id], label, ...(note === undefined ? {} : { note }) }, engine.currentDecider(), clock)
        },
      }
    }
    const priya = await open(OTHER_ANALYST)
    const me = await open(second)
    return { server, priya, me, tick: () => (clock += 1_000) }
  }

  it("keeps a decision that lost to a colleague's, shows hers as in force with who, what, when, and a reopen based on it applies", async () => {
    const { server, priya, me, tick } = await twoConsoles(ANALYST)
    priya.decide('an_00001', 'CONFIRMED_FRAUD', 'card testing')
    expect(await priya.engine.syncNow()).toMatchObject({ pending: 0, conflicts: 0 })
    const hers = server.anomalies.get('an_00001')?.latestDecision

    // I pulled before she decided: my decision is based on none.
    me.decide('an_00001', 'FALSE_POSITIVE', 'known merchant')
    const [mine] = me.store.outbox.takeForPush(10)
    me.store.outbox.releaseInFlight()
    expect(mine).toMatchObject({ anomalyId: 'an_00001', basedOn: null })
    expect(await me.engine.syncNow()).toMatchObject({ state: 'idle', pending: 0, rejected: 0, conflicts: 1 })
    expect(me.store.db.prepare('SELECT outcome FROM outbox WHERE mutation_id = ?').pluck().get(mine?.mutationId)).toBe('conflict')
    const detail = me.store.queue.get('an_00001')
    expect(detail).toMatchObject({
      status: 'CONFIRMED_FRAUD',
      pending: false,
      latestDecision: { label: 'CONFIRMED_FRAUD', decidedBy: 'Priya Sharma', note: 'card testing', mutationId: hers?.mutationId },
      conflict: {
        mine: { mutationId: mine?.mutationId, label: 'FALSE_POSITIVE', note: 'known merchant' },
        standing: { mutationId: hers?.mutationId, label: 'CONFIRMED_FRAUD', note: 'card testing', decidedBy: 'Priya Sharma', decidedAt: hers?.decidedAt },
      },
    })
    // Nothing I typed is lost: the server keeps it, superseded.
    expect(server.history.get('an_00001')?.map((e) => [e.decidedBy, e.label, e.inForce])).toEqual([
      ['Priya Sharma', 'CONFIRMED_FRAUD', true],
      ['Analyst', 'FALSE_POSITIVE', false],
    ])

    // A note is required; then the reopen is based on her decision and applies.
    tick()
    expect(() =>
      me.store.outbox.reopen(
        { anomalyId: 'an_00001', label: 'NEEDS_REVIEW', note: '  ', basedOn: hers?.mutationId ?? '' },
        me.engine.currentDecider(),
        200_000,
      ),
    ).toThrow(/note is required/)
    me.store.outbox.reopen(
      { anomalyId: 'an_00001', label: 'NEEDS_REVIEW', note: 'merchant says refund', basedOn: hers?.mutationId ?? '' },
      me.engine.currentDecider(),
      200_000,
    )
    expect(me.store.queue.get('an_00001')).toMatchObject({ status: 'NEEDS_REVIEW', pending: true, conflict: null })
    expect(await me.engine.syncNow()).toMatchObject({ pending: 0, conflicts: 0 })
    expect(server.anomalies.get('an_00001')).toMatchObject({ status: 'NEEDS_REVIEW', latestDecision: { decidedBy: 'Analyst', note: 'merchant says refund' } })
    const history = await me.engine.decisionHistory('an_00001')
    expect(history.map((e) => [e.decidedBy, e.label, e.note, e.inForce])).toEqual([
      ['Analyst', 'NEEDS_REVIEW', 'merchant says refund', true],
      ['Analyst', 'FALSE_POSITIVE', 'known merchant', false],
      ['Priya Sharma', 'CONFIRMED_FRAUD', 'card testing', false],
    ])
    // Priya's console pulls the reopen, with who did it.
    await priya.engine.syncNow()
    expect(priya.store.queue.get('an_00001')).toMatchObject({ status: 'NEEDS_REVIEW', latestDecision: { decidedBy: 'Analyst' }, conflict: null })
  })

  it('a decision made offline and synced later follows the same rule, and what was typed stays in the history', async () => {
    const { server, priya, me } = await twoConsoles(ANALYST)
    server.offline = true
    me.decide('an_00002', 'FALSE_POSITIVE', 'typed on the train')
    expect((await me.engine.syncNow()).state).toBe('offline')
    expect(me.store.queue.get('an_00002')).toMatchObject({ status: 'FALSE_POSITIVE', pending: true, conflict: null })
    await expect(me.engine.decisionHistory('an_00002')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringMatching(/^The decision history needs the server/),
    })
    server.offline = false
    priya.decide('an_00002', 'CONFIRMED_FRAUD')
    await priya.engine.syncNow()

    expect(await me.engine.syncNow()).toMatchObject({ state: 'idle', pending: 0, conflicts: 1 })
    expect(me.store.queue.get('an_00002')).toMatchObject({
      status: 'CONFIRMED_FRAUD',
      conflict: {
        mine: { label: 'FALSE_POSITIVE', note: 'typed on the train' },
        standing: { decidedBy: 'Priya Sharma', label: 'CONFIRMED_FRAUD', note: null },
      },
    })
    expect((await me.engine.decisionHistory('an_00002')).map((e) => [e.decidedBy, e.note, e.inForce])).toEqual([
      ['Priya Sharma', null, true],
      ['Analyst', 'typed on the train', false],
    ])
    // A later decision of hers ends the notice: the one that beat mine is no longer in force.
    priya.decide('an_00002', 'NEEDS_REVIEW')
    await priya.engine.syncNow()
    expect(await me.engine.syncNow()).toMatchObject({ conflicts: 0 })
    expect(me.store.queue.get('an_00002')).toMatchObject({ status: 'NEEDS_REVIEW', conflict: null })
  })

  it("between one person's own devices the latest decision wins, with no conflict", async () => {
    const { server, priya: laptop, me: desktop } = await twoConsoles(OTHER_ANALYST)
    desktop.decide('an_00003', 'FALSE_POSITIVE') // older
    laptop.decide('an_00003', 'CONFIRMED_FRAUD') // newer, pushed first
    await laptop.engine.syncNow()
    expect(await desktop.engine.syncNow()).toMatchObject({ pending: 0, conflicts: 0 })
    expect(desktop.store.db.prepare("SELECT outcome FROM outbox WHERE anomaly_id = 'an_00003'").pluck().get()).toBe('superseded')
    expect(server.anomalies.get('an_00003')?.status).toBe('CONFIRMED_FRAUD')
    expect(desktop.store.queue.get('an_00003')).toMatchObject({ status: 'CONFIRMED_FRAUD', conflict: null })
  })

  it("keeps the analyst's newer decision on screen when a conflict answers an older one", async () => {
    const { priya, me } = await twoConsoles(ANALYST)
    priya.decide('an_00004', 'CONFIRMED_FRAUD')
    await priya.engine.syncNow()
    me.decide('an_00004', 'FALSE_POSITIVE')
    const sent = me.store.outbox.takeForPush(10)
    // While the push is on the wire the analyst changes their mind.
    me.decide('an_00004', 'NEEDS_REVIEW')
    me.store.outbox.markOutcomes(
      [
        {
          mutationId: sent[0]?.mutationId ?? '',
          outcome: 'conflict',
          status: 'CONFIRMED_FRAUD',
          standing: { label: 'CONFIRMED_FRAUD', note: null, decidedBy: 'Priya Sharma', decidedAt: 1, mutationId: 'm-priya' },
        },
      ],
      1,
    )
    expect(me.store.queue.get('an_00004')).toMatchObject({ status: 'NEEDS_REVIEW', pending: true, conflict: null })
    // The second decision was based on the first (what the screen showed), which is not in force: it loses too.
    expect(await me.engine.syncNow()).toMatchObject({ pending: 0, conflicts: 1 })
    expect(me.store.queue.get('an_00004')).toMatchObject({ status: 'CONFIRMED_FRAUD', conflict: { mine: { label: 'NEEDS_REVIEW' } } })
  })
})
