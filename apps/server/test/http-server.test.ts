import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApp, type RunningApp } from '../src/app/start-app.ts'
import { loadEnv } from '../src/env.ts'
import { createClerkTestInstance } from './helpers/clerk-tokens.ts'
import { testLogger } from './helpers/silent-logger.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

describe('HTTP server (local mode)', () => {
  let database: TestDatabase
  let app: RunningApp

  beforeAll(async () => {
    database = await createTestDatabase()
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'anomalyze-http-'))
    app = await startApp(loadEnv({ DATABASE_URL: database.url, ANOMALYZE_DATA_DIR: dataDir, PORT: '0' }), testLogger)
  })
  afterAll(async () => {
    await app.stop()
    await database.drop()
  })

  const get = (pathname: string, token?: string | null) => fetch(`${app.url}${pathname}`, { headers: token ? { authorization: `Bearer ${token}` } : {} })

  it('hands alert e-mail links over to the console deep link, without showing anomaly data', async () => {
    const response = await get('/anomalies/3f1c2a90-1b2c-4d5e-8f90-aa11bb22cc33')
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).toContain('anomalyze://anomaly/3f1c2a90-1b2c-4d5e-8f90-aa11bb22cc33')
    expect((await get('/anomalies/%3Cscript%3E')).status).toBe(404)
  })

  it('hands case notice links over to the console deep link, refusing ids that are not plain', async () => {
    const response = await get('/cases/c7d2e1f0-5a6b-4c3d-9e8f-001122334455')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const html = await response.text()
    expect(html).toContain('<meta http-equiv="refresh" content="0;url=anomalyze://case/c7d2e1f0-5a6b-4c3d-9e8f-001122334455">')
    expect(html).toContain('href="anomalyze://case/c7d2e1f0-5a6b-4c3d-9e8f-001122334455"')
    expect(html).not.toContain('anomalyze://anomaly/')
    for (const bad of ['/cases/%3Cscript%3E', '/cases/a%22b', `/cases/${'a'.repeat(101)}`, '/cases/a.b']) {
      const refused = await get(bad)
      expect(refused.status, bad).toBe(404)
      expect(await refused.text(), bad).toBe('No such case link.')
    }
  })

  it('reports health with the database checked', async () => {
    const response = await get('/health')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'ok', database: 'ok' })
  })

  it('tags every response with a request id, keeping a well-formed one from the client', async () => {
    expect((await get('/health')).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    const response = await fetch(`${app.url}/health`, { headers: { 'x-request-id': 'trace-123' } })
    expect(response.headers.get('x-request-id')).toBe('trace-123')
  })

  it('signs the local analyst in with the token the start command hands out', async () => {
    const response = await get('/trpc/me.get', app.localToken)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ result: { data: { id: 'local_analyst', mode: 'local' } } })
  })

  it('answers 401 with a domain error when no token or a bad token is sent', async () => {
    for (const token of [null, 'forged.token.value']) {
      const response = await get('/trpc/me.get', token)
      expect(response.status).toBe(401)
      const body = (await response.json()) as { error: { data: { appError: { code: string } } } }
      expect(body.error.data.appError.code).toBe('UNAUTHENTICATED')
    }
  })

  it('lists invalid input by field', async () => {
    const input = encodeURIComponent(JSON.stringify({ limit: 100_000, from: 'yesterday' }))
    const response = await get(`/trpc/transactions.list?input=${input}`, app.localToken)
    expect(response.status).toBe(400)
    const body = (await response.json()) as { error: { data: { fieldErrors: { path: string }[] } } }
    expect(body.error.data.fieldErrors.map((e) => e.path).sort()).toEqual(['from', 'limit'])
  })

  it('refuses to start a second server on a port in use, saying so', async () => {
    const port = new URL(app.url).port
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'anomalyze-http-'))
    const second = startApp(loadEnv({ DATABASE_URL: database.url, ANOMALYZE_DATA_DIR: dataDir, PORT: port }), testLogger)
    await expect(second).rejects.toThrow(`Port ${port} on 127.0.0.1 is already in use`)
  })
})

describe('HTTP server (Clerk mode)', () => {
  it('creates the user on first sight of a valid Clerk token', async () => {
    const database = await createTestDatabase()
    const clerk = await createClerkTestInstance()
    const env = loadEnv({
      DATABASE_URL: database.url,
      ANOMALYZE_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'anomalyze-http-')),
      PORT: '0',
      CLERK_JWT_KEY: clerk.publicKeyPem,
      CLERK_ISSUER: clerk.issuer,
    })
    const app = await startApp(env, testLogger)
    try {
      expect(app.localToken).toBeNull()
      const token = await clerk.mint({ sub: 'user_clerk_1' })
      const response = await fetch(`${app.url}/trpc/me.get`, { headers: { authorization: `Bearer ${token}` } })
      expect(await response.json()).toMatchObject({ result: { data: { id: 'user_clerk_1', mode: 'clerk' } } })
      expect(await database.db.user.count({ where: { id: 'user_clerk_1' } })).toBe(1)
    } finally {
      await app.stop()
      await database.drop()
    }
  })
})

describe('start command', () => {
  const start = (env: Record<string, string>) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/start.ts'], {
      cwd: serverDir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), ...env },
      timeout: 60_000,
    })

  it('refuses malformed configuration, naming the variable', () => {
    const result = start({ PORT: 'eighty', DATABASE_URL: 'mysql://nope' })
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(/PORT:/)
    expect(result.stderr).toMatch(/DATABASE_URL: must be a postgres/)
  })

  it('exits non-zero with a clear message when the database is unreachable', () => {
    const result = start({ DATABASE_URL: 'postgresql://nobody:x@127.0.0.1:1/none', LOG_LEVEL: 'error' })
    expect(result.status).toBe(1)
    expect(result.stdout + result.stderr).toMatch(/Cannot reach the database at 127\.0\.0\.1:1\/none/)
  })

  it('prints --help', () => {
    const help = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/start.ts', '--help'], { cwd: serverDir, encoding: 'utf8' })
    expect(help.status).toBe(0)
    expect(help.stdout).toMatch(/DATABASE_URL/)
  })
})
