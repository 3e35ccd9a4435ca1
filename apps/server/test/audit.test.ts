import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { TRPCError } from '@trpc/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApp, type RunningApp } from '../src/app/start-app.ts'
import { loadEnv } from '../src/env.ts'
import { forgetSignIns, recordSignIn } from '../src/services/audit/record-sign-in.ts'
import { callerFor } from './helpers/caller.ts'
import { signWebhook } from './helpers/razorpay-stub.ts'
import { testLogger } from './helpers/silent-logger.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'
import { ensurePersonalWorkspace } from '../src/services/organizations/workspaces.ts'

describe('audit trail: audit.list', () => {
  let database: TestDatabase
  const base = Date.UTC(2026, 5, 1)
  const hour = 3_600_000

  beforeAll(async () => {
    database = await createTestDatabase()
    await ensurePersonalWorkspace(database.db, { id: 'auditor', name: 'Ada Auditor' })
    await ensurePersonalWorkspace(database.db, { id: 'someone_else' })
    const actions = ['auth.login', 'billing.plan_change', 'billing.cancel', 'api_key.create', 'anomaly.label']
    const entityTypes = ['User', 'Subscription', 'Subscription', 'ApiKey', 'Anomaly']
    // 25 rows an hour apart; two share a timestamp so paging must order by id too.
    await database.db.auditLog.createMany({
      data: Array.from({ length: 25 }, (_, i) => ({
        orgId: 'auditor',
        actor: 'auditor',
        action: actions[i % 5] ?? 'x',
        entityType: entityTypes[i % 5] ?? 'x',
        entityId: `e${i}`,
        createdAt: new Date(base + Math.min(i, 23) * hour),
      })),
    })
    await database.db.auditLog.create({ data: { orgId: 'someone_else', actor: 'someone_else', action: 'billing.plan_change', entityType: 'Subscription' } })
  })
  afterAll(() => database.drop())

  const list = (input: Parameters<ReturnType<typeof callerFor>['audit']['list']>[0]) => callerFor(database.db, 'auditor').audit.list(input)

  it('pages the whole trail newest first by cursor, each row once, own rows only', async () => {
    const seen: string[] = []
    let cursor: string | undefined
    for (let page = 0; page < 10; page += 1) {
      const result = await list({ limit: 7, ...(cursor ? { cursor } : {}) })
      seen.push(...result.items.map((row) => row.entityId ?? ''))
      if (result.nextCursor === null) break
      cursor = result.nextCursor
    }
    expect(seen).toHaveLength(25)
    expect(new Set(seen).size).toBe(25)
    const all = await list({ limit: 200 })
    expect(all.items.map((row) => row.createdAt)).toEqual([...all.items.map((row) => row.createdAt)].sort((x, y) => y - x))
    expect(all.nextCursor).toBeNull()
  })

  it('filters by exact action, action prefix, entity type and date range', async () => {
    expect((await list({ action: 'billing.plan_change' })).items.map((row) => row.entityId)).toEqual(['e21', 'e16', 'e11', 'e6', 'e1'])
    const billing = await list({ action: 'billing.' })
    expect(billing.items).toHaveLength(10)
    expect(billing.items.every((row) => row.action.startsWith('billing.'))).toBe(true)
    expect((await list({ entityType: 'ApiKey' })).items.map((row) => row.entityId)).toEqual(['e23', 'e18', 'e13', 'e8', 'e3'])
    const range = await list({ from: base + 2 * hour, to: base + 5 * hour })
    expect(range.items.map((row) => row.entityId)).toEqual(['e4', 'e3', 'e2'])
    const combined = await list({ action: 'billing.', entityType: 'Subscription', from: base, to: base + 10 * hour })
    expect(combined.items.map((row) => row.entityId)).toEqual(['e7', 'e6', 'e2', 'e1'])
  })

  it('refuses a reversed range and a forged cursor, naming the field', async () => {
    const reversed = await list({ from: base + hour, to: base }).catch((e: unknown) => e)
    expect((reversed as TRPCError).code).toBe('BAD_REQUEST')
    expect(((reversed as TRPCError).cause as unknown as { issues: { path: string[] }[] }).issues[0]?.path).toEqual(['to'])
    const forged = await list({ cursor: 'not-a-cursor' }).catch((e: unknown) => e)
    expect((forged as TRPCError).message).toMatch(/^cursor:/)
  })

  it('offers the actions, entity types and people present as filter choices', async () => {
    expect(await callerFor(database.db, 'auditor').audit.facets()).toEqual({
      actions: ['anomaly.label', 'api_key.create', 'auth.login', 'billing.cancel', 'billing.plan_change'],
      entityTypes: ['Anomaly', 'ApiKey', 'Subscription', 'User'],
      actors: [{ actor: 'auditor', name: 'Ada Auditor' }],
    })
  })

  it('records each member of a team signing in from one device, by name, not the organisation once', async () => {
    const db = database.db
    await db.organization.create({ data: { id: 'org_local_desk', name: 'Shared desk' } })
    for (const userId of ['desk_asha', 'desk_ravi']) {
      await ensurePersonalWorkspace(db, { id: userId })
      await db.membership.create({ data: { orgId: 'org_local_desk', userId, role: 'ANALYST' } })
    }
    const device = { ip: '10.0.0.7', userAgent: 'AnomalyzeConsole/1.0' }
    const session = (userId: string) => ({ orgId: 'org_local_desk', userId, via: 'local' })
    expect(await recordSignIn(db, session('desk_asha'), device)).toBe(true)
    expect(await recordSignIn(db, session('desk_ravi'), device)).toBe(true)
    expect(await recordSignIn(db, session('desk_asha'), device)).toBe(false)
    const logins = await db.auditLog.findMany({ where: { orgId: 'org_local_desk', action: 'auth.login' }, orderBy: { actor: 'asc' } })
    expect(logins.map((row) => [row.actor, row.entityId])).toEqual([
      ['desk_asha', 'desk_asha'],
      ['desk_ravi', 'desk_ravi'],
    ])
  })
})

describe('audit trail over HTTP: sign-ins and the webhook route', () => {
  let database: TestDatabase
  let app: RunningApp

  beforeAll(async () => {
    forgetSignIns()
    database = await createTestDatabase()
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'anomalyze-audit-'))
    app = await startApp(
      loadEnv({ DATABASE_URL: database.url, ANOMALYZE_DATA_DIR: dataDir, PORT: '0', RAZORPAY_WEBHOOK_SECRET: 'whsec_http_test' }),
      testLogger,
    )
  })
  afterAll(async () => {
    await app.stop()
    await database.drop()
  })

  const me = (userAgent: string, token = app.localToken ?? '') =>
    fetch(`${app.url}/trpc/me.get`, { headers: { authorization: `Bearer ${token}`, 'user-agent': userAgent } })

  it('records one login per device with IP and user agent, not one per request', async () => {
    for (let i = 0; i < 3; i += 1) expect((await me('AnomalyzeConsole/1.0')).status).toBe(200)
    await me('Mozilla/5.0 laptop')
    const logins = await database.db.auditLog.findMany({ where: { action: 'auth.login' }, orderBy: { createdAt: 'asc' } })
    // In the analyst's own workspace (organisation id = their user id), by them.
    expect(logins.map((row) => [row.orgId, row.actor, row.userAgent, row.ipAddress])).toEqual([
      ['local_analyst', 'local_analyst', 'AnomalyzeConsole/1.0', '127.0.0.1'],
      ['local_analyst', 'local_analyst', 'Mozilla/5.0 laptop', '127.0.0.1'],
    ])
    expect(logins[0]?.newData).toEqual({ via: 'local' })
    const listed = await fetch(`${app.url}/trpc/audit.list?input=${encodeURIComponent(JSON.stringify({ action: 'auth.login' }))}`, {
      headers: { authorization: `Bearer ${app.localToken ?? ''}`, 'user-agent': 'AnomalyzeConsole/1.0' },
    })
    expect(((await listed.json()) as { result: { data: { items: unknown[] } } }).result.data.items).toHaveLength(2)
  })

  it('takes Razorpay webhooks as raw bytes beside tRPC: signed accepted and stored, unsigned 400 and not stored', async () => {
    const body = JSON.stringify({ entity: 'event', event: 'order.paid', payload: {}, created_at: 1_790_000_000 })
    const post = (headers: Record<string, string>) =>
      fetch(`${app.url}/webhooks/razorpay`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'x-razorpay-event-id': 'evt_http_1', ...headers },
      })
    expect((await post({})).status).toBe(400)
    expect((await post({ 'x-razorpay-signature': signWebhook(body, 'whsec_http_test') })).status).toBe(200)
    const logs = await database.db.paymentLog.findMany({ orderBy: { receivedAt: 'asc' } })
    // An unsigned body leaves a log line only: forged posts cannot fill PaymentLog.
    expect(logs.map((row) => [row.signatureValid, row.eventId])).toEqual([[true, 'evt_http_1']])
    expect((await me('AnomalyzeConsole/1.0')).status).toBe(200)
  })
})
