import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateTransactions } from '@anomalyze/shared/engine'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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
import type { CoreArgs, CoreData, CoreMethod } from '../src/contract/core-methods.ts'
import { createCore, type Core } from '../src/core/create-core.ts'
import { createServerClient, type ServerClientFactory } from '../src/core/sync/server-client.ts'

/**
 * Cases end to end: the desktop core (SQLite cache, case-action outbox, sync) against
 * the real server on Postgres. Ingestion files alerts into cases; two analysts on two
 * consoles claim the same case; a comment made offline reaches the server later with
 * its original time; closing a case decides its alerts on the server; the entity view
 * reads what it fetched when the server is gone.
 */
// The server serves only rows older than its settle window (1 s): wait a bit longer.
const SETTLE_MS = 1_200
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, SETTLE_MS))

interface Console {
  core: Core
  online: boolean
}

let database: TestDatabase
let app: RunningApp
let root: string
const consoles: Console[] = []
let priya: { userId: string; token: string }
let rahul: { userId: string; token: string }
let p: Console
let r: Console

function openConsole(name: string): Console {
  const c: Console = { core: undefined as unknown as Core, online: true }
  const offlineFetch: typeof fetch = () => Promise.reject(new TypeError('fetch failed (simulated: no network)'))
  const createClient: ServerClientFactory = (options) =>
    createServerClient({ ...options, fetch: (input, init) => (c.online ? fetch(input, init) : offlineFetch(input, init)) })
  c.core = createCore({ dataDir: join(root, name), createClient })
  consoles.push(c)
  return c
}

/** One core method through the same handler map IPC and HTTP use; an error answer throws. */
async function call<M extends CoreMethod>(c: Console, method: M, args: CoreArgs<M>): Promise<CoreData<M>> {
  const answer = await c.core.handlers[method](args)
  if (answer.error !== undefined) throw new Error(`${method}: ${answer.error.code} ${answer.error.message}`)
  return answer.data as CoreData<M>
}

async function addAnalyst(name: string): Promise<{ userId: string; token: string }> {
  const admin = createServerClient({ serverUrl: app.url, token: app.localToken ?? '' })
  const added = (await admin.call('mutation', 'members.add', { name, role: 'analyst' })) as { member: { userId: string }; token: string }
  return { userId: added.member.userId, token: added.token }
}

beforeAll(async () => {
  database = await createTestDatabase()
  root = mkdtempSync(join(tmpdir(), 'anomalyze-cases-'))
  app = await startApp(loadEnv({ DATABASE_URL: database.url, ANOMALYZE_DATA_DIR: join(root, 'server'), PORT: '0' }), testLogger)
  if (app.localToken === null) throw new Error('the server did not start in local mode')
  priya = await addAnalyst('Priya')
  rahul = await addAnalyst('Rahul')
  const items = [...generateTransactions({ seed: 11, customers: 40, days: 20, txIdPrefix: 'cs-' })].slice(0, 2_000).map((g) => g.transaction)
  for (let i = 0; i < items.length; i += 1_000) {
    const result = await ingestTransactions(app.db, app.services.models, LOCAL_USER_ID, items.slice(i, i + 1_000))
    expect(result.rejected).toBe(0)
  }
  await settle()
  p = openConsole('priya')
  r = openConsole('rahul')
  await call(p, 'session.signIn', { serverUrl: app.url, token: priya.token })
  await call(r, 'session.signIn', { serverUrl: app.url, token: rahul.token })
})

afterAll(async () => {
  for (const c of consoles) await c.core.close()
  await app?.stop()
  await database?.drop()
  if (root !== undefined) rmSync(root, { recursive: true, force: true })
})

/** An open, unassigned case on the server with at least `alerts` undecided alerts. */
async function unassignedCase(alerts = 1): Promise<string> {
  const found = await app.db.case.findMany({
    where: { orgId: LOCAL_USER_ID, status: 'OPEN', assigneeId: null, mergedIntoId: null },
    select: { id: true, _count: { select: { anomalies: { where: { status: { in: ['OPEN', 'NEEDS_REVIEW'] } } } } } },
    orderBy: { id: 'asc' },
  })
  const pick = found.find((c) => c._count.anomalies >= alerts)
  if (pick === undefined) throw new Error(`no open unassigned case with ${alerts} undecided alerts`)
  return pick.id
}

describe('cases between two consoles and the real server', () => {
  it('pulls the cases ingestion opened, with each alert in its case', async () => {
    const status = await call(p, 'sync.now', {})
    expect(status).toMatchObject({ state: 'idle', error: null })
    await call(r, 'sync.now', {})
    const serverOpen = await app.db.case.count({ where: { orgId: LOCAL_USER_ID, mergedIntoId: null, status: { in: ['OPEN', 'IN_REVIEW', 'ESCALATED'] } } })
    expect(serverOpen).toBeGreaterThan(0)
    const list = await call(p, 'cases.list', { queue: 'all', limit: 1_000 })
    expect(list.total).toBe(serverOpen)
    expect(list.counts.unassigned + (await app.db.case.count({ where: { orgId: LOCAL_USER_ID, assigneeId: { not: null }, status: 'OPEN' } }))).toBeGreaterThan(
      0,
    )
    // Every cached alert sits in the case the server filed it in.
    const serverCaseOf = new Map(
      (await app.db.anomaly.findMany({ where: { orgId: LOCAL_USER_ID }, select: { id: true, caseId: true } })).map((a) => [a.id, a.caseId]),
    )
    const local = p.core.store.db.prepare<[], { id: string; case_id: string | null }>('SELECT id, case_id FROM anomalies WHERE batch_id IS NULL').all()
    expect(local.length).toBe(serverCaseOf.size)
    expect(local.filter((a) => serverCaseOf.get(a.id) !== a.case_id)).toEqual([])
    const first = list.rows[0]
    if (first === undefined) throw new Error('no case')
    const detail = await call(p, 'cases.get', { id: first.id })
    expect(detail.alerts.length).toBe(first.alertCount)
    expect(detail.timeline[0]?.kind).toBe('opened')
  })

  it('two analysts claim one case: the first stands, the second is told who holds it, and the refusal stays in the timeline', async () => {
    const caseId = await unassignedCase()
    const mine = await call(p, 'cases.act', { caseId, kind: 'claim' })
    expect(mine).toMatchObject({ pending: false, conflict: null, case: { assignee: { id: priya.userId, name: 'Priya' } } })
    // Rahul's console has not seen Priya's claim: it shows his at once, the server orders them.
    const his = await call(r, 'cases.act', { caseId, kind: 'claim' })
    expect(his.pending).toBe(false)
    expect(his.conflict).toMatchObject({ kind: 'claim', heldBy: { id: priya.userId, name: 'Priya' } })
    expect(his.case.assignee?.id).toBe(priya.userId)
    expect((await app.db.case.findUniqueOrThrow({ where: { id: caseId } })).assigneeId).toBe(priya.userId)
    // At once, without waiting for the pull's settle window: the case was read back after the push.
    const atOnce = await call(r, 'cases.get', { id: caseId })
    expect(atOnce.timeline.filter((e) => !e.pending).map((e) => e.kind)).toEqual(expect.arrayContaining(['assigned', 'claim_refused']))
    await settle()
    await call(r, 'sync.now', {})
    const detail = await call(r, 'cases.get', { id: caseId })
    expect(detail.conflict?.heldBy?.id).toBe(priya.userId)
    expect(detail.timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(['assigned', 'claim_refused']))
    expect(detail.timeline.every((e) => !e.pending)).toBe(true)
    expect((await call(p, 'cases.list', { queue: 'mine' })).rows.map((c) => c.id)).toContain(caseId)
  })

  it('a comment made offline is kept, then reaches the server with the time it was written', async () => {
    const caseId = await unassignedCase()
    r.online = false
    const before = Date.now()
    const offline = await call(r, 'cases.act', { caseId, kind: 'comment', text: 'Called the customer: card is with them.' })
    const after = Date.now()
    expect(offline.pending).toBe(true)
    const waiting = await call(r, 'cases.get', { id: caseId })
    const line = waiting.timeline.find((e) => e.pending)
    expect(line).toMatchObject({ kind: 'comment', data: { text: 'Called the customer: card is with them.' }, actor: { id: rahul.userId } })
    expect((await call(r, 'sync.status', {})).pending).toBe(1)
    await new Promise((resolve) => setTimeout(resolve, 50))
    r.online = true
    expect(await call(r, 'sync.now', {})).toMatchObject({ state: 'idle', pending: 0, error: null })
    const stored = await app.db.caseEvent.findFirstOrThrow({ where: { caseId, kind: 'comment', mutationId: line?.mutationId ?? '' } })
    expect(stored.actorId).toBe(rahul.userId)
    expect(stored.at.getTime()).toBeGreaterThanOrEqual(before)
    expect(stored.at.getTime()).toBeLessThanOrEqual(after)
    await settle()
    await call(r, 'sync.now', {})
    const synced = await call(r, 'cases.get', { id: caseId })
    expect(synced.timeline.filter((e) => e.kind === 'comment').map((e) => [e.pending, e.at])).toEqual([[false, stored.at.getTime()]])
  })

  it('closing a case decides its undecided alerts on the server, and the console agrees after a sync', async () => {
    const caseId = await unassignedCase(2)
    const undecided = await app.db.anomaly.findMany({ where: { caseId, status: { in: ['OPEN', 'NEEDS_REVIEW'] } }, select: { id: true } })
    const closed = await call(p, 'cases.act', { caseId, kind: 'close', status: 'CLOSED_FRAUD', note: 'Skimmed card' })
    expect(closed).toMatchObject({ pending: false, conflict: null, case: { status: 'CLOSED_FRAUD' } })
    const onServer = await app.db.anomaly.findMany({ where: { id: { in: undecided.map((a) => a.id) } }, select: { status: true } })
    expect(onServer.map((a) => a.status)).toEqual(undecided.map(() => 'CONFIRMED_FRAUD'))
    expect((await app.db.case.findUniqueOrThrow({ where: { id: caseId } })).status).toBe('CLOSED_FRAUD')
    await settle()
    await call(p, 'sync.now', {})
    const detail = await call(p, 'cases.get', { id: caseId })
    expect(detail.alerts.filter((a) => undecided.some((u) => u.id === a.id)).map((a) => [a.status, a.pending])).toEqual(
      undecided.map(() => ['CONFIRMED_FRAUD', false]),
    )
    expect(detail.timeline.some((e) => e.kind === 'closed' && !e.pending)).toBe(true)
    // A second close (Rahul has not synced) loses: the case was already closed.
    const late = await call(r, 'cases.act', { caseId, kind: 'close', status: 'CLOSED_LEGITIMATE', note: 'looked fine to me' })
    expect(late.conflict).toMatchObject({ kind: 'close' })
    expect(late.case.status).toBe('CLOSED_FRAUD')
  })

  it('a split shows at once: the new case holds the moved alert and its timeline, the old case no longer holds it', async () => {
    const caseId = await unassignedCase(2)
    const before = await call(p, 'cases.get', { id: caseId })
    const moved = before.alerts[0]
    if (moved === undefined) throw new Error('no alert')
    const created = await call(p, 'cases.split', { caseId, anomalyIds: [moved.id] })
    const fresh = await call(p, 'cases.get', { id: created.id })
    expect(fresh.alerts.map((a) => a.id)).toEqual([moved.id])
    expect(fresh.timeline.map((e) => e.kind)).toContain('split')
    const old = await call(p, 'cases.get', { id: caseId })
    expect(old.alerts.map((a) => a.id)).not.toContain(moved.id)
    expect((await call(p, 'anomaly.get', { id: moved.id })).caseId).toBe(created.id)
  })

  it('reads the entity view from the server, then from the cache when the server is gone', async () => {
    const account = p.core.store.db.prepare<[], string>("SELECT entity_id FROM cases WHERE entity_type = 'ACCOUNT' LIMIT 1").pluck().get()
    if (account === undefined) throw new Error('no account case')
    const ref = { type: 'ACCOUNT' as const, id: account }
    const view = await call(p, 'entity.get', ref)
    expect(view).toMatchObject({ offline: false, profile: { entity: ref } })
    expect(view.profile?.transactionCount).toBeGreaterThan(0)
    const page = await call(p, 'entity.transactions', { ...ref, limit: 1_000 })
    expect(page.offline).toBe(false)
    expect(page.items.length).toBeGreaterThan(0)
    expect(page.items.every((t) => t.accountId === account)).toBe(true)

    p.online = false
    const cachedView = await call(p, 'entity.get', ref)
    expect(cachedView).toEqual({ ...view, offline: true })
    const cached = await call(p, 'entity.transactions', { ...ref, limit: 1_000 })
    expect(cached).toMatchObject({ offline: true, total: page.items.length, fetchedAt: page.fetchedAt })
    expect(cached.items.map((t) => t.id)).toEqual(page.items.map((t) => t.id))
    const alertsOnly = await call(p, 'entity.transactions', { ...ref, alertsOnly: true })
    expect(alertsOnly.items.map((t) => t.id)).toEqual(page.items.filter((t) => t.anomalyId !== null).map((t) => t.id))
    const unknown = await call(p, 'entity.get', { type: 'MERCHANT', id: 'never-fetched' })
    expect(unknown).toEqual({ profile: null, fetchedAt: null, offline: true })
    // Opening or merging needs the server: said plainly.
    const opened = await p.core.handlers['cases.open']({ entityType: 'MERCHANT', entityId: 'M1' })
    expect(opened).toMatchObject({ error: { code: 'UNAVAILABLE', message: expect.stringContaining('needs the server') } })
    p.online = true
  })
})
