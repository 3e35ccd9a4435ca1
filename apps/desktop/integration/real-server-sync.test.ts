import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type LabelKind } from '@anomalyze/shared'
import { generateTransactions } from '@anomalyze/shared/engine'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
// The real server, started in-process on a throwaway Postgres (the server project's
// global setup provides the cluster; its helper clones the migrated template).
import {
  startApp,
  type RunningApp,
  loadEnv,
  ingestTransactions,
  LOCAL_USER_ID,
  testLogger,
  createTestDatabase,
  type TestDatabase,
} from '@anomalyze/server/testing'
import type { SyncStatus } from '../src/contract/sync-status.ts'
import { openLocalStore, type LocalStore } from '../src/core/store/local-store.ts'
import { createServerClient, type ServerClient, type ServerClientFactory } from '../src/core/sync/server-client.ts'
import { SyncEngine } from '../src/core/sync/sync-engine.ts'

/**
 * The desktop's sync engine against the real server over HTTP: tRPC, Postgres,
 * ingestion-made anomalies, the settle window. The unit tests (sync-engine.test.ts)
 * cover the same rules against an in-memory fake; this shows the two sides agree.
 */
const PAGE = 25
// The server serves only rows older than its settle window (1 s): wait a bit longer.
const SETTLE_MS = 1_200
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, SETTLE_MS))

let database: TestDatabase
let app: RunningApp
let root: string
const opened: LocalStore[] = []

interface Desktop {
  store: LocalStore
  engine: SyncEngine
  file: string
  /** Each pull's progress as the engine reported it just before the request. */
  progress: Array<SyncStatus['progress']>
  pullCursors: Array<string | null>
  online: boolean
  /** Throws after this many more pulls (simulated crash between pages). */
  failPullsAfter: number | null
  /** Push reaches the server, but its answer is lost on the way back. */
  losePushReply: boolean
}

function desktop(name: string, file = join(root, name, 'cache.db')): Desktop {
  const store = openLocalStore(file)
  opened.push(store)
  const d: Desktop = {
    store,
    engine: undefined as unknown as SyncEngine,
    file,
    progress: [],
    pullCursors: [],
    online: true,
    failPullsAfter: null,
    losePushReply: false,
  }
  const offlineFetch: typeof fetch = () => Promise.reject(new TypeError('fetch failed (simulated: no network)'))
  const createClient: ServerClientFactory = (options) => {
    const real: ServerClient = createServerClient({ ...options, fetch: (input, init) => (d.online ? fetch(input, init) : offlineFetch(input, init)) })
    return {
      ...real,
      pull: async (input) => {
        d.progress.push(d.engine.status().progress)
        d.pullCursors.push(input.cursor ?? null)
        if (d.failPullsAfter !== null) {
          if (d.failPullsAfter === 0) throw new Error('simulated crash between pages')
          d.failPullsAfter -= 1
        }
        return real.pull(input)
      },
      push: async (input) => {
        const answer = await real.push(input)
        if (d.losePushReply) throw new TypeError('fetch failed (simulated: reply lost)')
        return answer
      },
    }
  }
  d.engine = new SyncEngine({ store, createClient, pullPageSize: PAGE })
  return d
}

async function seedAnomalies(transactions: number): Promise<number> {
  const items = [...generateTransactions({ seed: 3, customers: 60, days: 30, txIdPrefix: 'rs-' })].slice(0, transactions).map((g) => g.transaction)
  for (let i = 0; i < items.length; i += 1_000) {
    const result = await ingestTransactions(app.db, app.services.models, LOCAL_USER_ID, items.slice(i, i + 1_000))
    expect(result.rejected).toBe(0)
  }
  return app.db.anomaly.count({ where: { orgId: LOCAL_USER_ID } })
}

const localStatus = (store: LocalStore, id: string): string | undefined =>
  store.db.prepare<[string], { status: string }>('SELECT status FROM anomalies WHERE id = ?').get(id)?.status
const decide = (d: Desktop, ids: string[], label: LabelKind, at: number) => d.store.outbox.record({ anomalyIds: ids, label }, d.engine.currentUserId(), at)
const serverIds = async (): Promise<string[]> =>
  (await app.db.anomaly.findMany({ where: { orgId: LOCAL_USER_ID }, select: { id: true }, orderBy: { id: 'asc' } })).map((a) => a.id)
const localIds = (store: LocalStore): string[] =>
  store.db
    .prepare<[], { id: string }>('SELECT id FROM anomalies WHERE batch_id IS NULL ORDER BY id')
    .all()
    .map((r) => r.id)

describe('desktop sync against the real server', () => {
  let a: Desktop
  let b: Desktop
  let total: number

  beforeAll(async () => {
    database = await createTestDatabase()
    root = mkdtempSync(join(tmpdir(), 'anomalyze-real-sync-'))
    app = await startApp(loadEnv({ DATABASE_URL: database.url, ANOMALYZE_DATA_DIR: join(root, 'server'), PORT: '0' }), testLogger)
    const token = app.localToken
    if (token === null) throw new Error('the server did not start in local mode')
    a = desktop('a')
    b = desktop('b')
    // Signing in calls me.get, which also creates the local analyst's user row.
    await a.engine.signIn(app.url, token)
    await b.engine.signIn(app.url, token)
    total = await seedAnomalies(3_000)
    await settle()
  })

  afterAll(async () => {
    for (const s of opened) if (s.db.open) s.close()
    await app?.stop()
    await database?.drop()
    if (root !== undefined) rmSync(root, { recursive: true, force: true })
  })

  it('syncs every ingested anomaly down in pages, reporting progress, exactly once', async () => {
    expect(total).toBeGreaterThan(PAGE * 3)
    const status = await a.engine.syncNow()
    expect(status).toMatchObject({ state: 'idle', error: null, cachedAnomalies: total, pending: 0 })
    expect(localIds(a.store)).toEqual(await serverIds())
    const pages = Math.ceil(total / PAGE)
    expect(a.pullCursors.length).toBeGreaterThanOrEqual(pages)
    expect(a.pullCursors[0]).toBeNull()
    // Progress grows page by page towards the server's total.
    const dones = a.progress.filter((p) => p !== null).map((p) => p.done)
    expect(dones).toEqual(Array.from({ length: dones.length }, (_, i) => (i + 1) * PAGE))
    expect(a.progress.at(-1)?.total).toBe(total)
    // Synced rows carry the server's detection: scores, severities, explanations.
    const sample = a.store.db
      .prepare<[], { score: number; explanation: string; model_version: string | null }>('SELECT score, explanation, model_version FROM anomalies LIMIT 1')
      .get()
    expect(sample?.explanation).toMatch(/^Score /)
    expect(sample?.model_version).toMatch(/^default@/)
    await b.engine.syncNow()
    expect(b.store.countServerAnomalies()).toBe(total)
  })

  it('keeps decisions made offline and pushes them on reconnect; the server stores each once', async () => {
    const ids = localIds(a.store).slice(0, 3)
    a.online = false
    decide(a, ids, 'CONFIRMED_FRAUD', Date.now())
    const offline = await a.engine.syncNow()
    expect(offline).toMatchObject({ state: 'offline', pending: 3 })
    expect(ids.map((id) => localStatus(a.store, id))).toEqual(['CONFIRMED_FRAUD', 'CONFIRMED_FRAUD', 'CONFIRMED_FRAUD'])

    a.online = true
    const back = await a.engine.syncNow()
    expect(back).toMatchObject({ state: 'idle', pending: 0, rejected: 0, error: null })
    const labels = await app.db.anomalyLabel.findMany({ where: { anomalyId: { in: ids } } })
    expect(labels.map((l) => l.label).sort()).toEqual(['CONFIRMED_FRAUD', 'CONFIRMED_FRAUD', 'CONFIRMED_FRAUD'])
    const onServer = await app.db.anomaly.findMany({ where: { id: { in: ids } }, select: { status: true } })
    expect(onServer.map((x) => x.status)).toEqual(['CONFIRMED_FRAUD', 'CONFIRMED_FRAUD', 'CONFIRMED_FRAUD'])
  })

  it('applies a push once when its reply was lost and the desktop sends it again', async () => {
    const [id] = localIds(a.store).slice(10, 11)
    if (id === undefined) throw new Error('no anomaly to label')
    decide(a, [id], 'NEEDS_REVIEW', Date.now())
    a.losePushReply = true
    const lost = await a.engine.syncNow()
    expect(lost.pending).toBe(1)
    a.losePushReply = false
    const resent = await a.engine.syncNow()
    expect(resent).toMatchObject({ pending: 0, rejected: 0 })
    const outcome = a.store.db.prepare<[string], { outcome: string }>('SELECT outcome FROM outbox WHERE anomaly_id = ?').get(id)
    expect(outcome?.outcome).toBe('duplicate')
    expect(await app.db.anomalyLabel.count({ where: { anomalyId: id } })).toBe(1)
  })

  it('resumes an interrupted first sync from the stored cursor after a restart, with no duplicates', async () => {
    // Desktop A's labels above changed rows on the server: let them settle, or they
    // would (rightly) be served only on a later sync.
    await settle()
    const file = join(root, 'c', 'cache.db')
    const first = desktop('c', file)
    await first.engine.signIn(app.url, app.localToken ?? '')
    first.failPullsAfter = 2
    const broken = await first.engine.syncNow()
    expect(broken.state).toBe('error')
    expect(first.store.countServerAnomalies()).toBe(2 * PAGE)
    const cursorAtCrash = first.store.state.get('cursor')
    expect(cursorAtCrash).not.toBeNull()
    first.store.close()

    const reopened = desktop('c', file)
    const status = await reopened.engine.syncNow()
    expect(status).toMatchObject({ state: 'idle', cachedAnomalies: total })
    expect(reopened.pullCursors[0]).toBe(cursorAtCrash)
    expect(localIds(reopened.store)).toEqual(await serverIds())
    // Labels pushed by desktop A before this device's first sync arrived with the rows.
    const labelled = localIds(a.store).slice(0, 3)
    expect(labelled.map((id) => localStatus(reopened.store, id))).toEqual(['CONFIRMED_FRAUD', 'CONFIRMED_FRAUD', 'CONFIRMED_FRAUD'])
  })

  it('settles a conflict the same way on both desktops: the later decidedAt wins', async () => {
    const [id] = localIds(a.store).slice(20, 21)
    if (id === undefined) throw new Error('no anomaly to label')
    const t = Date.now()
    decide(a, [id], 'FALSE_POSITIVE', t)
    decide(b, [id], 'CONFIRMED_FRAUD', t + 1_000)
    // The later decision reaches the server first; the earlier one must not overwrite it.
    await b.engine.syncNow()
    const pushedA = await a.engine.syncNow()
    expect(pushedA.pending).toBe(0)
    expect(a.store.db.prepare<[string], { outcome: string }>('SELECT outcome FROM outbox WHERE anomaly_id = ?').get(id)?.outcome).toBe('superseded')
    expect((await app.db.anomaly.findUniqueOrThrow({ where: { id } })).status).toBe('CONFIRMED_FRAUD')
    await settle()
    await a.engine.syncNow()
    await b.engine.syncNow()
    expect(localStatus(a.store, id)).toBe('CONFIRMED_FRAUD')
    expect(localStatus(b.store, id)).toBe('CONFIRMED_FRAUD')
  })
})
