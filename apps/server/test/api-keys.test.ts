import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startApp, type RunningApp } from '../src/app/start-app.ts'
import { createApiKeyAuthenticator } from '../src/auth/api-key-authenticator.ts'
import { bcryptCompareOffThread } from '../src/auth/bcrypt-off-thread.ts'
import { createApiKey } from '../src/services/api-keys/manage-api-keys.ts'
import { loadEnv } from '../src/env.ts'
import { testLogger } from './helpers/silent-logger.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'
import { ensurePersonalWorkspace } from '../src/services/organizations/workspaces.ts'

describe('API keys', () => {
  let database: TestDatabase
  let app: RunningApp

  beforeAll(async () => {
    database = await createTestDatabase()
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'anomalyze-keys-'))
    app = await startApp(loadEnv({ DATABASE_URL: database.url, ANOMALYZE_DATA_DIR: dataDir, PORT: '0' }), testLogger)
  })
  afterAll(async () => {
    await app.stop()
    await database.drop()
  })

  const call = async (procedure: string, token: string | null, input?: unknown, method: 'GET' | 'POST' = 'GET') => {
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (token) headers.authorization = `Bearer ${token}`
    const query = method === 'GET' && input !== undefined ? `?input=${encodeURIComponent(JSON.stringify(input))}` : ''
    const response = await fetch(`${app.url}/trpc/${procedure}${query}`, {
      method,
      headers,
      ...(method === 'POST' ? { body: JSON.stringify(input ?? {}) } : {}),
    })
    return { status: response.status, body: (await response.json()) as Record<string, any> }
  }

  it('shows the secret once, stores only a bcrypt hash, and audits the creation', async () => {
    const created = await call('apiKeys.create', app.localToken, { name: 'ingest bot', scopes: ['ingest:write', 'anomalies:read'] }, 'POST')
    expect(created.status).toBe(200)
    const key = created.body.result.data
    expect(key.secret).toMatch(/^sk_live_[A-Za-z0-9]{12}_/)
    expect(key.secret.startsWith(key.keyPrefix)).toBe(true)

    const row = await database.db.apiKey.findUniqueOrThrow({ where: { id: key.id } })
    expect(row.keyHash).toMatch(/^\$2[aby]\$10\$/)
    expect(JSON.stringify(row)).not.toContain(key.secret)

    const listed = await call('apiKeys.list', app.localToken)
    expect(listed.body.result.data[0]).not.toHaveProperty('secret')
    expect(listed.body.result.data[0]).toMatchObject({ name: 'ingest bot', keyPrefix: key.keyPrefix })

    const audit = await database.db.auditLog.findMany({ where: { entityId: key.id } })
    expect(audit.map((a) => a.action)).toEqual(['api_key.create'])
  })

  it('authenticates with the key, within its scopes only', async () => {
    const { body } = await call('apiKeys.create', app.localToken, { name: 'reader', scopes: ['anomalies:read'] }, 'POST')
    const secret: string = body.result.data.secret
    const allowed = await call('anomalies.list', secret, {})
    expect(allowed.status).toBe(200)
    const wrongScope = await call('transactions.list', secret, {})
    expect(wrongScope.status).toBe(403)
    expect(wrongScope.body.error.data.appError).toMatchObject({
      message: 'This key lacks the "transactions:read" scope',
      details: { requiredScope: 'transactions:read', permission: 'transactions:read' },
    })
    const notForKeys = await call('apiKeys.list', secret)
    expect(notForKeys.status).toBe(403)
    expect(notForKeys.body.error.data.appError.message).toBe('Sign in as a member to do this; API keys cannot')
    const row = await database.db.apiKey.findUniqueOrThrow({ where: { id: body.result.data.id } })
    expect(row.lastUsedAt).not.toBeNull()
  })

  it('refuses a revoked key on the very next request, and audits the revocation', async () => {
    const { body } = await call('apiKeys.create', app.localToken, { name: 'temp', scopes: ['anomalies:read'] }, 'POST')
    const { id, secret } = body.result.data as { id: string; secret: string }
    expect((await call('anomalies.list', secret, {})).status).toBe(200)
    expect((await call('apiKeys.revoke', app.localToken, { id }, 'POST')).status).toBe(200)
    const after = await call('anomalies.list', secret, {})
    expect(after.status).toBe(401)
    expect(after.body.error.data.appError.message).toMatch(/revoked/)
    const actions = (await database.db.auditLog.findMany({ where: { entityId: id }, orderBy: { createdAt: 'asc' } })).map((a) => a.action)
    expect(actions).toEqual(['api_key.create', 'api_key.revoke'])
  })

  it('refuses forged and malformed keys', async () => {
    const { body } = await call('apiKeys.create', app.localToken, { name: 'victim', scopes: ['anomalies:read'] }, 'POST')
    const secret: string = body.result.data.secret
    const forged = `${secret.slice(0, -4)}AAAA`
    expect((await call('anomalies.list', forged, {})).body.error.data.appError.message).toBe('Invalid API key')
    expect((await call('anomalies.list', 'sk_live_nope', {})).body.error.data.appError.message).toMatch(/Malformed API key/)
  })

  it('re-verifies a busy key in the background before its cache entry expires, so no request waits on bcrypt', async () => {
    await ensurePersonalWorkspace(app.db, { id: 'user_busy_key' })
    const { secret } = await createApiKey(app.db, { orgId: 'user_busy_key', userId: 'user_busy_key' }, { name: 'busy', scopes: ['ingest:write'] })
    let clock = Date.now()
    // The real compare (on its worker thread), counted.
    const compare = vi.fn(bcryptCompareOffThread)
    const authenticator = createApiKeyAuthenticator(app.db, { now: () => clock, compareHash: compare })
    await authenticator.authenticate(secret)
    expect(compare).toHaveBeenCalledTimes(1)
    clock += 20_000 // well inside the minute: the cache answers
    await authenticator.authenticate(secret)
    expect(compare).toHaveBeenCalledTimes(1)
    clock += 30_000 // 10 s before expiry: answered from the cache, refreshed in the background
    await authenticator.authenticate(secret)
    expect(compare).toHaveBeenCalledTimes(2)
    await compare.mock.results[1]!.value
    clock += 30_000 // past the first expiry, inside the refreshed one
    await authenticator.authenticate(secret)
    expect(compare).toHaveBeenCalledTimes(2)
    clock += 120_000 // idle past expiry: the next request verifies again before it is let in
    await authenticator.authenticate(secret)
    expect(compare).toHaveBeenCalledTimes(3)
    await expect(authenticator.authenticate(`${secret.slice(0, -4)}AAAA`)).rejects.toThrow('Invalid API key')
  })
})
