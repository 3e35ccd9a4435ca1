import { randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import { TRPCError } from '@trpc/server'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeCursor, MAX_TIME_MS } from '@anomalyze/shared'
import { csvRecords } from '@anomalyze/shared/node'
import { startApp, type RunningApp } from '../src/app/start-app.ts'
import { loadEnv } from '../src/env.ts'
import { API_KEY_SCOPES } from '../src/services/api-keys/api-key-format.ts'
import { spreadsheetSafe } from '@anomalyze/shared/node'
import { runReport } from '../src/services/reports/run-report.ts'
import { callerFor } from './helpers/caller.ts'
import { createUserWithAnomalies, type UserFixture } from './helpers/fixtures.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'

/**
 * Findings of an adversarial probe, one regression per class: out-of-range dates and
 * internal failures answered without internals, future-dated decisions, spreadsheet
 * formulas in report CSVs, API key scopes on the model registry, other tenants' ids as
 * paging cursors, per-tenant mutation ids, and the security headers of every answer.
 */

/** A logger that keeps its JSON lines, to check what an internal error logged. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>)
      done()
    },
  })
  return { log: pino({ level: 'info' }, sink), lines }
}

/** What no error body may contain: source paths, Prisma's name, stack frames. */
function expectNoInternals(body: string): void {
  expect(body).not.toContain('/work/')
  expect(body.toLowerCase()).not.toContain('prisma')
  expect(body).not.toContain(' at ')
  expect(body).not.toMatch(/\.ts:\d+/)
}

const FAR_FUTURE = 9e15 // a safe integer past JavaScript's last date (8.64e15): `new Date` makes it Invalid Date
const YEAR_99999 = Date.UTC(99999, 0, 1) // a valid JavaScript date that Postgres also takes

async function startTestApp(database: TestDatabase, log = capturingLogger().log): Promise<RunningApp> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'anomalyze-security-'))
  return startApp(loadEnv({ DATABASE_URL: database.url, ANOMALYZE_DATA_DIR: dataDir, PORT: '0' }), log)
}

describe('security hardening', () => {
  let database: TestDatabase
  let app: RunningApp
  let a: UserFixture
  let b: UserFixture

  beforeAll(async () => {
    database = await createTestDatabase()
    app = await startTestApp(database)
    a = await createUserWithAnomalies(database.db, 'tenant_a', 4)
    b = await createUserWithAnomalies(database.db, 'tenant_b', 4)
  })
  afterAll(async () => {
    await app?.stop()
    await database?.drop()
  })

  const caller = (fixture: UserFixture, overrides: Parameters<typeof callerFor>[2] = {}) => callerFor(database.db, fixture.userId, overrides, app.services)
  const query = (procedure: string, input: unknown) =>
    fetch(`${app.url}/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers: { authorization: `Bearer ${app.localToken}` } })
  const mutate = (procedure: string, input: unknown) =>
    fetch(`${app.url}/trpc/${procedure}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.localToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    })
  const fieldErrorsOf = async (response: Response) => {
    const text = await response.text()
    expectNoInternals(text)
    return {
      status: response.status,
      paths: ((JSON.parse(text) as { error: { data: { fieldErrors: { path: string }[] | null } } }).error.data.fieldErrors ?? []).map((e) => e.path),
    }
  }
  const refusal = async (call: Promise<unknown>) => {
    const error = await call.then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(TRPCError)
    return error as TRPCError
  }

  describe('dates out of range', () => {
    it.each([
      ['audit.list', { from: FAR_FUTURE }, 'from'],
      ['audit.list', { to: -1 }, 'to'],
      ['anomalies.list', { from: FAR_FUTURE }, 'from'],
      ['anomalies.list', { to: MAX_TIME_MS + 1 }, 'to'],
      ['transactions.list', { to: FAR_FUTURE }, 'to'],
      ['transactions.list', { from: -8.64e15 }, 'from'],
    ])('%s %j answers 400 naming the field, without internals', async (procedure, input, field) => {
      expect(await fieldErrorsOf(await query(procedure, input))).toEqual({ status: 400, paths: [field] })
    })

    it('sync.push refuses a decidedAt out of range by field', async () => {
      const decision = { mutationId: randomUUID(), anomalyId: randomUUID(), label: 'CONFIRMED_FRAUD', decidedAt: FAR_FUTURE }
      expect(await fieldErrorsOf(await mutate('sync.push', { decisions: [decision] }))).toEqual({ status: 400, paths: ['decisions.0.decidedAt'] })
    })

    it('reports.create refuses a date past year 9999 by field', async () => {
      const year33658 = 1e15
      const response = await mutate('reports.create', { type: 'ANOMALIES', format: 'CSV', parameters: { filters: { from: year33658 } } })
      expect(await fieldErrorsOf(response)).toEqual({ status: 400, paths: ['parameters.filters.from'] })
      const month = await mutate('reports.create', { type: 'MONTHLY_SUMMARY', format: 'PDF', parameters: { month: '0050-01' } })
      expect(await fieldErrorsOf(month)).toEqual({ status: 400, paths: ['parameters.month'] })
    })

    it('refuses text Postgres cannot compare or store (NUL, lone surrogates) by field, not with a 500', async () => {
      expect(await fieldErrorsOf(await query('anomalies.get', { id: 'a\u0000b' }))).toEqual({ status: 400, paths: ['id'] })
      expect(await fieldErrorsOf(await query('anomalies.list', { accountId: 'acct\u0000' }))).toEqual({ status: 400, paths: ['accountId'] })
      expect(await fieldErrorsOf(await query('transactions.list', { merchantId: 'half \ud83d' }))).toEqual({ status: 400, paths: ['merchantId'] })
      expect(await fieldErrorsOf(await query('audit.list', { action: 'x\u0000' }))).toEqual({ status: 400, paths: ['action'] })
      const decision = { mutationId: randomUUID(), anomalyId: randomUUID(), label: 'NEEDS_REVIEW', note: 'nul \u0000 here', decidedAt: Date.now() }
      expect(await fieldErrorsOf(await mutate('sync.push', { decisions: [decision] }))).toEqual({ status: 400, paths: ['decisions.0.note'] })
      const syncCursor = encodeCursor(Date.now(), 'id\u0000')
      expect(await refusal(caller(a).sync.pull({ cursor: syncCursor, limit: 10 }))).toMatchObject({
        code: 'BAD_REQUEST',
        cause: { details: { field: 'cursor' } },
      })
    })

    it('refuses cursors with a date past year 9999 inside (audit.list, sync.pull and GET /sync/pull)', async () => {
      const auditCursor = Buffer.from(JSON.stringify([new Date(YEAR_99999).toISOString(), randomUUID()])).toString('base64url')
      const audit = await refusal(caller(a).audit.list({ cursor: auditCursor }))
      expect(audit).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/^cursor: not a cursor from audit\.list/) })

      const syncCursor = encodeCursor(YEAR_99999, a.anomalyIds[0]!)
      const sync = await refusal(caller(a).sync.pull({ cursor: syncCursor, limit: 10 }))
      expect(sync).toMatchObject({ code: 'BAD_REQUEST', cause: { details: { field: 'cursor' } } })
      const plain = await fetch(`${app.url}/sync/pull?cursor=${syncCursor}`, { headers: { authorization: `Bearer ${app.localToken}` } })
      expect(plain.status).toBe(400)
      expect(await plain.json()).toMatchObject({ error: { code: 'BAD_INPUT', details: { field: 'cursor' } } })
    })
  })

  describe('decisions dated in the future', () => {
    it('are recorded at the server receive time, so a later real decision wins', async () => {
      const anomalyId = a.anomalyIds[1]!
      const before = Date.now()
      const tenYearsAhead = before + 10 * 365 * 86_400_000
      const future = await caller(a).sync.push({ decisions: [{ mutationId: randomUUID(), anomalyId, label: 'FALSE_POSITIVE', decidedAt: tenYearsAhead }] })
      expect(future.results[0]).toMatchObject({ outcome: 'applied', status: 'FALSE_POSITIVE' })
      const stored = await database.db.anomalyLabel.findFirstOrThrow({ where: { anomalyId } })
      expect(stored.decidedAt.getTime()).toBeGreaterThanOrEqual(before)
      expect(stored.decidedAt.getTime()).toBeLessThanOrEqual(Date.now())

      await new Promise((resolve) => setTimeout(resolve, 5))
      const later = await caller(a).sync.push({ decisions: [{ mutationId: randomUUID(), anomalyId, label: 'CONFIRMED_FRAUD', decidedAt: Date.now() }] })
      expect(later.results[0]).toMatchObject({ outcome: 'applied', status: 'CONFIRMED_FRAUD' })
      expect(await caller(a).anomalies.get({ id: anomalyId })).toMatchObject({ status: 'CONFIRMED_FRAUD' })
    })
  })

  describe('mutation ids', () => {
    it('are unique per tenant: two tenants with the same mutationId both have their decision stored', async () => {
      const mutationId = randomUUID()
      const pushA = await caller(a).sync.push({ decisions: [{ mutationId, anomalyId: a.anomalyIds[2]!, label: 'NEEDS_REVIEW', decidedAt: Date.now() }] })
      const pushB = await caller(b).sync.push({ decisions: [{ mutationId, anomalyId: b.anomalyIds[2]!, label: 'CONFIRMED_FRAUD', decidedAt: Date.now() }] })
      expect(pushA.results[0]).toMatchObject({ outcome: 'applied', status: 'NEEDS_REVIEW' })
      expect(pushB.results[0]).toMatchObject({ outcome: 'applied', status: 'CONFIRMED_FRAUD' })
      const rows = await database.db.anomalyLabel.findMany({ where: { mutationId }, orderBy: { orgId: 'asc' } })
      expect(rows.map((r) => [r.orgId, r.anomalyId, r.label])).toEqual([
        [a.userId, a.anomalyIds[2], 'NEEDS_REVIEW'],
        [b.userId, b.anomalyIds[2], 'CONFIRMED_FRAUD'],
      ])
      // Within a tenant, a retried push is still applied once.
      const again = await caller(b).sync.push({ decisions: [{ mutationId, anomalyId: b.anomalyIds[2]!, label: 'CONFIRMED_FRAUD', decidedAt: Date.now() }] })
      expect(again.results[0]).toMatchObject({ outcome: 'duplicate' })
      expect(await database.db.anomalyLabel.count({ where: { mutationId } })).toBe(2)
    })
  })

  describe('cursors', () => {
    it('refuse another tenant row on every cursor-paged list', async () => {
      const bAudit = await database.db.auditLog.create({ data: { orgId: b.userId, actor: b.userId, action: 'test.row', entityType: 'Test' } })
      const bAnomaly = await database.db.anomaly.findUniqueOrThrow({ where: { id: b.anomalyIds[0]! } })
      const foreign = {
        'anomalies.list': () => caller(a).anomalies.list({ cursor: b.anomalyIds[0]! }),
        'transactions.list': () => caller(a).transactions.list({ cursor: b.transactionIds[0]! }),
        'audit.list': () => caller(a).audit.list({ cursor: Buffer.from(JSON.stringify([bAudit.createdAt.toISOString(), bAudit.id])).toString('base64url') }),
        'sync.pull': () => caller(a).sync.pull({ cursor: encodeCursor(bAnomaly.updatedAt.getTime(), bAnomaly.id), limit: 10 }),
      }
      for (const [procedure, call] of Object.entries(foreign)) {
        const error = await refusal(call())
        expect(error.code, procedure).toBe('BAD_REQUEST')
        expect(error.message, procedure).toMatch(new RegExp(`^cursor: not a cursor from ${procedure.replace('.', '\\.')}`))
        expect(error.cause, procedure).toMatchObject({ details: { field: 'cursor' } })
      }
    })

    it('still page through the caller own rows', async () => {
      const seen = { anomalies: [] as string[], transactions: [] as string[] }
      let cursor: string | undefined
      do {
        const page = await caller(b).anomalies.list({ limit: 1, ...(cursor ? { cursor } : {}) })
        seen.anomalies.push(...page.items.map((item) => item.id))
        cursor = page.nextCursor ?? undefined
      } while (cursor)
      do {
        const page = await caller(b).transactions.list({ limit: 3, ...(cursor ? { cursor } : {}) })
        seen.transactions.push(...page.items.map((item) => item.id))
        cursor = page.nextCursor ?? undefined
      } while (cursor)
      expect(seen.anomalies.sort()).toEqual([...b.anomalyIds].sort())
      expect(seen.transactions.sort()).toEqual([...b.transactionIds].sort())
    })
  })

  describe('API key scopes', () => {
    it('refuse models.list, training.list and training.get to a key without models:read', async () => {
      expect(API_KEY_SCOPES).toContain('models:read')
      const narrow = caller(a, {
        via: 'apikey',
        role: null,
        apiKeyId: 'key_narrow',
        scopes: ['anomalies:read', 'ingest:write', 'transactions:read', 'anomalies:write'],
      })
      for (const call of [() => narrow.models.list(), () => narrow.training.list({}), () => narrow.training.get({ id: randomUUID() })]) {
        expect(await refusal(call())).toMatchObject({ code: 'FORBIDDEN', cause: { details: { requiredScope: 'models:read' } } })
      }
      const reader = caller(a, { via: 'apikey', role: null, apiKeyId: 'key_models', scopes: ['models:read'] })
      // Only the shipped default, which every organisation has.
      expect((await reader.models.list()).versions.map((v) => v.id)).toEqual(['shipped-default'])
      expect(await reader.training.list({})).toEqual([])
      expect(await refusal(reader.training.get({ id: randomUUID() }))).toMatchObject({ code: 'NOT_FOUND' })
    })

    it('can be given models:read through apiKeys.create', async () => {
      const response = await mutate('apiKeys.create', { name: 'model reader', scopes: ['models:read'] })
      expect(response.status).toBe(200)
      const key = ((await response.json()) as { result: { data: { secret: string } } }).result.data.secret
      const listed = await fetch(`${app.url}/trpc/models.list`, { headers: { authorization: `Bearer ${key}` } })
      expect(listed.status).toBe(200)
      const anomalies = await fetch(`${app.url}/trpc/anomalies.list`, { headers: { authorization: `Bearer ${key}` } })
      expect(anomalies.status).toBe(403)
    })
  })

  describe('report CSVs', () => {
    it('neutralise spreadsheet formulas in every cell, leaving plain numbers alone', () => {
      expect(['=1+1', '+1', '-2+3', '@SUM(A1)', '\tx', '\rx'].map(spreadsheetSafe)).toEqual(["'=1+1", "'+1", "'-2+3", "'@SUM(A1)", "'\tx", "'\rx"])
      expect(['', 'plain', '-12.5', '-3', '-1e5', 'a=b', "'quoted"].map(spreadsheetSafe)).toEqual(['', 'plain', '-12.5', '-3', '-1e5', 'a=b', "'quoted"])
    })

    it('escape formula cells in the ANOMALIES and DECISIONS exports', async () => {
      const userId = 'tenant_csv'
      const fixture = await createUserWithAnomalies(database.db, userId, 1)
      const txRow = await database.db.transaction.update({
        where: { id: fixture.transactionIds[0]! },
        data: { merchantId: '=HYPERLINK("http://evil.test","x")', accountId: '@SUM(1+1)', category: '+cmd|calc', channel: '-2+3' },
      })
      await database.db.anomaly.update({ where: { id: fixture.anomalyIds[0]! }, data: { explanation: '\t=1+1' } })
      await callerFor(database.db, userId, { name: '=evil()' }, app.services).sync.push({
        decisions: [{ mutationId: randomUUID(), anomalyId: fixture.anomalyIds[0]!, label: 'CONFIRMED_FRAUD', note: '=2+2', decidedAt: Date.now() }],
      })

      const exportCsv = async (type: 'ANOMALIES' | 'DECISIONS') => {
        const report = await database.db.report.create({ data: { orgId: userId, type, format: 'CSV', parameters: { filters: {} } } })
        const outcome = await runReport({ db: database.db, storage: app.services.storage, log: pino({ level: 'silent' }) }, report.id)
        if (outcome.status !== 'COMPLETED') throw new Error(`report ${type}: ${JSON.stringify(outcome)}`)
        const records = []
        for await (const batch of csvRecords(await app.services.storage.get(outcome.key))) records.push(...batch)
        const [header, ...rows] = records
        return rows.map((row) => Object.fromEntries((header?.values ?? []).map((name, i) => [name, row.values[i]])))
      }

      const [anomalyRow] = await exportCsv('ANOMALIES')
      expect(anomalyRow).toMatchObject({
        merchant_id: `'${txRow.merchantId}`,
        account_id: "'@SUM(1+1)",
        category: "'+cmd|calc",
        channel: "'-2+3",
        explanation: "'\t=1+1",
        amount: '100.0000',
      })
      const [decisionRow] = await exportCsv('DECISIONS')
      expect(decisionRow).toMatchObject({ decided_by: "'=evil()", note: "'=2+2", merchant_id: `'${txRow.merchantId}`, account_id: "'@SUM(1+1)" })
      for (const row of [anomalyRow, decisionRow]) {
        for (const value of Object.values(row ?? {})) expect(value ?? '').not.toMatch(/^[=+@\t\r]/)
      }
    })
  })

  describe('headers and error answers', () => {
    const expectSecurityHeaders = (response: Response, what: string, cacheControl: string | null = 'no-store') => {
      expect(response.headers.get('x-content-type-options'), what).toBe('nosniff')
      if (cacheControl !== null) expect(response.headers.get('cache-control'), what).toBe(cacheControl)
    }

    it('carry nosniff and no-store on tRPC, direct, plain and error answers, nosniff on file downloads', async () => {
      const auth = { authorization: `Bearer ${app.localToken}` }
      expectSecurityHeaders(await query('me.get', undefined), 'tRPC query')
      expectSecurityHeaders(await query('anomalies.list', { from: FAR_FUTURE }), 'tRPC error')
      expectSecurityHeaders(await mutate('ingest.transactions', { transactions: [] }), 'direct route')
      expectSecurityHeaders(await fetch(`${app.url}/health`), 'health')
      expectSecurityHeaders(await fetch(`${app.url}/sync/pull`, { headers: auth }), 'sync pull')
      expectSecurityHeaders(await fetch(`${app.url}/anomalies/abc`), 'anomaly link page')
      expectSecurityHeaders(await fetch(`${app.url}/cases/abc`), 'case link page')
      expectSecurityHeaders(await fetch(`${app.url}/no/such/route`), 'not found')
      expectSecurityHeaders(await fetch(`${app.url}/batch-jobs`, { method: 'POST', body: 'a,b\n' }), 'batch upload refusal')

      await app.services.storage.put('security-test/file.csv', Buffer.from('a,b\n'), { contentType: 'text/csv' })
      const link = await app.services.storage.downloadUrl('security-test/file.csv', { expiresInSeconds: 60, fileName: 'file.csv' })
      const download = await fetch(link)
      expect(download.status).toBe(200)
      expect(download.headers.get('content-disposition')).toBe('attachment; filename="file.csv"')
      expectSecurityHeaders(download, 'file download', null)
    })

    it('answer unknown routes and Fastify refusals as short JSON errors', async () => {
      const notFound = await fetch(`${app.url}/no/such/route?secret=1`)
      expect(notFound.status).toBe(404)
      expect(await notFound.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No route for GET /no/such/route', details: null } })

      const badJson = await fetch(`${app.url}/webhooks/twilio/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' })
      const badJsonText = await badJson.text()
      expect(badJson.status).toBe(400)
      expectNoInternals(badJsonText)
      expect(JSON.parse(badJsonText)).toMatchObject({ error: { code: 'BAD_INPUT' } })

      const wrongType = await fetch(`${app.url}/webhooks/twilio/status`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<a/>' })
      expect(wrongType.status).toBe(415)
      expect(await wrongType.json()).toEqual({ error: { code: 'BAD_INPUT', message: 'Unsupported content type', details: null } })

      const tooLarge = await fetch(`${app.url}/webhooks/razorpay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: 'x'.repeat(2 * 1024 * 1024),
      })
      expect(tooLarge.status).toBe(413)
      expect(await tooLarge.json()).toEqual({ error: { code: 'LIMIT_EXCEEDED', message: 'Request body is too large', details: null } })
    })
  })
})

describe('internal errors', () => {
  let database: TestDatabase
  let app: RunningApp
  const logged = capturingLogger()

  beforeAll(async () => {
    database = await createTestDatabase()
    app = await startTestApp(database, logged.log)
    // Sign in once (the user row exists), then break the tables the calls below read.
    await fetch(`${app.url}/trpc/me.get`, { headers: { authorization: `Bearer ${app.localToken}` } })
    await database.db.$executeRawUnsafe('DROP TABLE "TrainingJob" CASCADE')
    await database.db.$executeRawUnsafe('DROP TABLE "Anomaly" CASCADE')
    await database.db.$executeRawUnsafe('DROP TABLE "Transaction" CASCADE')
  })
  afterAll(async () => {
    await app?.stop()
    await database?.drop()
  })

  const loggedFor = (requestId: string) => logged.lines.filter((line) => line.reqId === requestId && line.level === 50)

  it('are answered generically on tRPC with the request id, the detail logged under it', async () => {
    const response = await fetch(`${app.url}/trpc/training.list`, { headers: { authorization: `Bearer ${app.localToken}`, 'x-request-id': 'req-trpc-1' } })
    const text = await response.text()
    expect(response.status).toBe(500)
    expectNoInternals(text)
    expect(text).not.toContain('TrainingJob')
    const body = JSON.parse(text) as { error: { message: string; data: { appError: unknown; stack?: unknown } } }
    expect(body.error.message).toBe('Internal error; quote request id req-trpc-1 to support')
    expect(body.error.data.appError).toEqual({ code: 'INTERNAL', message: body.error.message, details: { requestId: 'req-trpc-1' } })
    expect(body.error.data.stack).toBeUndefined()
    const [line] = loggedFor('req-trpc-1')
    expect(line).toMatchObject({ msg: 'procedure failed', path: 'training.list' })
    expect(JSON.stringify(line)).toContain('TrainingJob')
  })

  it('are answered the same way by the direct ingestion route', async () => {
    const transaction = { txId: 't-1', timestamp: '2026-05-01T10:00:00Z', amount: 10, accountId: 'C-1', merchantId: 'M-1' }
    const response = await fetch(`${app.url}/trpc/ingest.transactions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.localToken}`, 'content-type': 'application/json', 'x-request-id': 'req-direct-1' },
      body: JSON.stringify({ transactions: [transaction] }),
    })
    const text = await response.text()
    expect(response.status).toBe(500)
    expectNoInternals(text)
    expect(JSON.parse(text)).toMatchObject({
      error: { message: 'Internal error; quote request id req-direct-1 to support', data: { appError: { code: 'INTERNAL' } } },
    })
    expect(loggedFor('req-direct-1').map((line) => line.msg)).toContain('procedure failed')
  })

  it('are answered as generic JSON with the request id on plain routes', async () => {
    const response = await fetch(`${app.url}/sync/pull`, { headers: { authorization: `Bearer ${app.localToken}`, 'x-request-id': 'req-plain-1' } })
    const text = await response.text()
    expect(response.status).toBe(500)
    expectNoInternals(text)
    expect(JSON.parse(text)).toEqual({
      error: { code: 'INTERNAL', message: 'Internal error; quote request id req-plain-1 to support', details: { requestId: 'req-plain-1' } },
    })
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    const [line] = loggedFor('req-plain-1')
    expect(line).toMatchObject({ msg: 'request failed' })
    expect(JSON.stringify(line)).toContain('Anomaly')
  })
})
