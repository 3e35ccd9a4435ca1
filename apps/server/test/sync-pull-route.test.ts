import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pullQueryString, SYNC_PULL_PATH, ZPullOutput, type TPullInput } from '@anomalyze/shared'
import { startApp, type RunningApp } from '../src/app/start-app.ts'
import { LOCAL_USER_ID } from '../src/auth/local-authenticator.ts'
import { loadEnv } from '../src/env.ts'
import { pullChanges, pullChangesJson } from '../src/services/sync/pull-changes.ts'
import { callerFor } from './helpers/caller.ts'
import { createUserWithAnomalies, type UserFixture } from './helpers/fixtures.ts'
import { testLogger } from './helpers/silent-logger.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'

/**
 * GET /sync/pull: the sync.pull procedure as a plain route that passes Postgres's
 * JSON through. It must answer exactly what the procedure answers, to the same
 * callers, scoped to the caller's own anomalies.
 */
describe('sync pull over plain HTTP', () => {
  let database: TestDatabase
  let app: RunningApp
  let dataDir: string
  let local: UserFixture
  let other: UserFixture
  const later = () => Date.now() + 5_000

  beforeAll(async () => {
    database = await createTestDatabase()
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'anomalyze-sync-pull-'))
    local = await createUserWithAnomalies(database.db, LOCAL_USER_ID, 7)
    other = await createUserWithAnomalies(database.db, 'user_sync_other', 3)
    const [withNull, withText] = local.anomalyIds as [string, string]
    // Ingestion stores a NaN feature as null; anything else non-numeric must not break a page either.
    await database.db.anomaly.update({ where: { id: withNull }, data: { explanationData: { isolationScore: 0.5, features: [1, null, 3] } } })
    await database.db.anomaly.update({ where: { id: withText }, data: { explanationData: { features: [1, 'x', 3] } } })
    await database.db.anomaly.update({
      where: { id: local.anomalyIds[2]! },
      data: { explanationData: { topFeatures: [{ feature: 'amount', value: 12.5 }], features: [0.5, -2, 1e-7] } },
    })
    app = await startApp(loadEnv({ DATABASE_URL: database.url, ANOMALYZE_DATA_DIR: dataDir, PORT: '0' }), testLogger)
    // The route serves rows older than the 1 s settle window.
    await new Promise((resolve) => setTimeout(resolve, 1_200))
  })
  afterAll(async () => {
    await app?.stop()
    await database?.drop()
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true })
  })

  const get = (query: string, token?: string | null) =>
    fetch(`${app.url}${SYNC_PULL_PATH}?${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} })
  const pull = async (input: TPullInput, token: string | null) => {
    const response = await get(pullQueryString(input), token)
    expect(response.status).toBe(200)
    return ZPullOutput.parse(await response.json())
  }

  it('answers page for page what the tRPC procedure answers, cursors included', async () => {
    let cursor: string | null = null
    let pages = 0
    for (; pages < 10; pages += 1) {
      const now = later()
      const input = { cursor, limit: 3, withTotal: pages === 0 }
      const viaProcedure = await pullChanges(database.db, LOCAL_USER_ID, input, now)
      const viaJson = ZPullOutput.parse(JSON.parse((await pullChangesJson(database.db, LOCAL_USER_ID, input, now)).json))
      expect(viaJson).toEqual(viaProcedure)
      cursor = viaJson.nextCursor
      if (!viaJson.hasMore) break
    }
    expect(pages).toBe(2)
  })

  it('serves the signed-in caller every anomaly once, malformed vectors as null, with the database time', async () => {
    const response = await get(pullQueryString({ cursor: null, limit: 100 }), app.localToken)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    expect(response.headers.get('server-timing')).toMatch(/^db;dur=\d+(\.\d+)?$/)
    expect(response.headers.get('x-sync-next-cursor')).toBeNull()
    const page = ZPullOutput.parse(await response.json())
    expect(page).toMatchObject({ hasMore: false, total: 7 })
    // A page with more to come names its cursor in a header too, ahead of the body.
    const partial = await get(pullQueryString({ cursor: null, limit: 3 }), app.localToken)
    const partialPage = ZPullOutput.parse(await partial.json())
    expect(partialPage.hasMore).toBe(true)
    expect(partial.headers.get('x-sync-next-cursor')).toBe(partialPage.nextCursor)
    expect(page.anomalies.map((a) => a.id).sort()).toEqual([...local.anomalyIds].sort())
    const features = new Map(page.anomalies.map((a) => [a.id, a.features]))
    expect(features.get(local.anomalyIds[0]!)).toBeNull()
    expect(features.get(local.anomalyIds[1]!)).toBeNull()
    expect(features.get(local.anomalyIds[2]!)).toEqual([0.5, -2, 1e-7])
    // Resuming from the last cursor brings nothing new, and counts nothing when not asked.
    const again = await pull({ cursor: page.nextCursor, limit: 100, withTotal: false }, app.localToken)
    expect(again).toMatchObject({ anomalies: [], nextCursor: page.nextCursor, hasMore: false, total: null })
  })

  it("scopes an API key to its own account's anomalies and checks its scope", async () => {
    const owner = callerFor(database.db, other.userId)
    const reader = await owner.apiKeys.create({ name: 'desktop sync', scopes: ['anomalies:read'] })
    const page = await pull({ cursor: null, limit: 100 }, reader.secret)
    expect(page.anomalies.map((a) => a.id).sort()).toEqual([...other.anomalyIds].sort())
    expect(page.total).toBe(3)

    const ingestOnly = await owner.apiKeys.create({ name: 'ingest bot', scopes: ['ingest:write'] })
    const refused = await get('', ingestOnly.secret)
    expect(refused.status).toBe(403)
    expect(await refused.json()).toEqual({
      error: {
        code: 'FORBIDDEN',
        message: 'This key lacks the "anomalies:read" scope',
        details: { requiredScope: 'anomalies:read', permission: 'anomalies:read' },
      },
    })
  })

  it('refuses an anonymous call, a forged token, a foreign cursor and a bad limit, naming the field', async () => {
    expect((await get('')).status).toBe(401)
    expect((await get('', 'forged.token.value')).status).toBe(401)
    const cursor = await get('cursor=!!!', app.localToken)
    expect(cursor.status).toBe(400)
    expect(await cursor.json()).toMatchObject({ error: { code: 'BAD_INPUT', details: { field: 'cursor' } } })
    const limit = await get('limit=0', app.localToken)
    expect(limit.status).toBe(400)
    expect(await limit.json()).toMatchObject({ error: { code: 'BAD_INPUT', details: { field: 'limit' } } })
  })
})
