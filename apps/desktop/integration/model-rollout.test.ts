import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApp, type RunningApp, loadEnv, shippedModelUpload, testLogger, createTestDatabase, type TestDatabase } from '@anomalyze/server/testing'
import { createCore, type Core } from '../src/core/create-core.ts'
import { writeGeneratedCsv } from '../test/support/generated-csv.ts'

/**
 * Model rollout to a desktop, end to end: a version registered and activated on the
 * real server reaches the console core on its next sync (downloaded through the signed
 * links, verified), scoring switches to it, and a restarted console keeps using it
 * offline. Rollbacks on the server follow the same way.
 */
let database: TestDatabase
let app: RunningApp
let root: string
const cores: Core[] = []

function openCore(name: string): Core {
  const core = createCore({ dataDir: join(root, name) })
  cores.push(core)
  return core
}

beforeAll(async () => {
  database = await createTestDatabase()
  root = mkdtempSync(join(tmpdir(), 'anomalyze-rollout-'))
  app = await startApp(loadEnv({ DATABASE_URL: database.url, ANOMALYZE_DATA_DIR: join(root, 'server'), PORT: '0' }), testLogger)
})
afterAll(async () => {
  for (const core of cores) await core.close()
  await app.stop()
  await database.drop()
  rmSync(root, { recursive: true, force: true })
})

describe('active model rollout to the console', () => {
  it('downloads the activated version on sync, scores with it, and keeps it offline after a restart', async () => {
    const token = app.localToken as string
    const desktop = openCore('desktop')
    expect((await desktop.handlers['session.signIn']({ serverUrl: app.url, token })).error).toBeUndefined()
    await desktop.sync.syncNow()
    expect((await desktop.handlers['scoring.availability']({})).data?.modelVersion).toMatch(/^default@/)

    // The analyst's organisation activates its own version on the server.
    const register = await desktop.handlers['server.call']({ type: 'mutation', path: 'models.register', input: shippedModelUpload('2.0.0') })
    expect(register.error).toBeUndefined()
    expect((await desktop.handlers['server.call']({ type: 'mutation', path: 'models.activate', input: { version: '2.0.0' } })).error).toBeUndefined()

    const status = await desktop.sync.syncNow()
    expect(status.error).toBeNull()
    expect(status.activeModelVersion).toBe('2.0.0')
    expect(await desktop.scoring.modelVersion()).toBe('2.0.0')

    // Offline CSV scoring writes the synced version on every row.
    const csv = join(root, 'tx.csv')
    writeGeneratedCsv(csv, { rows: 300, seed: 5 })
    desktop.allowPath(csv, 'read') // as Electron's open dialog does
    const inspection = await desktop.scoring.inspect({ path: csv })
    const job = await desktop.scoring.start({ source: { path: csv }, mapping: inspection.mapping })
    const done = await desktop.scoring.settled(job.jobId)
    expect(done).toMatchObject({ state: 'done', modelVersion: '2.0.0' })

    // A restart without network: the version on disk is used, nothing is downloaded.
    await desktop.close()
    cores.splice(cores.indexOf(desktop), 1)
    const restarted = openCore('desktop')
    expect((await restarted.handlers['scoring.availability']({})).data).toMatchObject({ available: true, modelVersion: '2.0.0' })

    // A newer version, then a rollback on the server: each next sync follows.
    await restarted.handlers['server.call']({ type: 'mutation', path: 'models.register', input: shippedModelUpload('2.1.0') })
    await restarted.handlers['server.call']({ type: 'mutation', path: 'models.activate', input: { version: '2.1.0' } })
    await restarted.sync.syncNow()
    expect(await restarted.scoring.modelVersion()).toBe('2.1.0')
    const rollback = await restarted.handlers['server.call']({ type: 'mutation', path: 'models.rollback', input: {} })
    expect(rollback.error).toBeUndefined()
    await restarted.sync.syncNow()
    expect(await restarted.scoring.modelVersion()).toBe('2.0.0')
  })
})
