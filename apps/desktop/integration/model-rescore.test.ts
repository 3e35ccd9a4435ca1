import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildFeatureMatrix, FEATURE_NAMES, generateTransactions, trainAnomalyModel } from '@anomalyze/shared/engine'
import { loadModelArtifact, saveModelArtifact } from '@anomalyze/shared/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  startApp,
  type RunningApp,
  LOCAL_USER_ID,
  loadEnv,
  ingestTransactions,
  testLogger,
  createTestDatabase,
  type TestDatabase,
} from '@anomalyze/server/testing'
import { createCore, type Core } from '../src/core/create-core.ts'

/**
 * Issue #6, item 3 end to end: anomalies ingested by the real server carry their
 * feature vectors down to the console; when the account activates a model that sees
 * them differently, the console's next sync downloads it and re-scores the local
 * queue with ONNX Runtime, and the rows whose severity moved are marked.
 */
let database: TestDatabase
let app: RunningApp
let root: string
let core: Core

/** A model of this build with a much larger alert budget than the shipped one: many rows go up. */
async function generousModel(version: string): Promise<{ input: Record<string, string>; dir: string }> {
  const matrix = buildFeatureMatrix(generateTransactions({ seed: 21, customers: 80, terminals: 80, days: 10 }))
  const { model } = trainAnomalyModel(matrix.rows, { isolation: { trees: 20, seed: 4 }, alertBudget: { medium: 0.3, high: 0.1, critical: 0.03 } })
  const dir = join(root, `model-${version}`)
  await saveModelArtifact(dir, model, { version, training: { source: 'test', rows: matrix.count, frauds: null, from: null, to: null } })
  const onnx = readFileSync(join(dir, 'model.onnx'))
  return {
    dir,
    input: {
      manifest: readFileSync(join(dir, 'manifest.json'), 'utf8'),
      onnxBase64: onnx.toString('base64'),
      treesBase64: readFileSync(join(dir, 'model.json')).toString('base64'),
      sha256: createHash('sha256').update(onnx).digest('hex'),
    },
  }
}

beforeAll(async () => {
  database = await createTestDatabase()
  root = mkdtempSync(join(tmpdir(), 'anomalyze-rescore-'))
  app = await startApp(loadEnv({ DATABASE_URL: database.url, ANOMALYZE_DATA_DIR: join(root, 'server'), PORT: '0' }), testLogger)
  core = createCore({ dataDir: join(root, 'desktop') })
})
afterAll(async () => {
  await core?.close()
  await app?.stop()
  await database?.drop()
  if (root !== undefined) rmSync(root, { recursive: true, force: true })
})

describe('re-scoring the console queue when the active model changes', () => {
  it('pulls feature vectors, then re-scores with the activated model and marks the rows that moved', async () => {
    expect((await core.handlers['session.signIn']({ serverUrl: app.url, token: app.localToken as string })).error).toBeUndefined()
    const items = [...generateTransactions({ seed: 8, customers: 50, days: 20, txIdPrefix: 'rq-' })].slice(0, 2_000).map((g) => g.transaction)
    expect((await ingestTransactions(app.db, app.services.models, LOCAL_USER_ID, items)).rejected).toBe(0)
    // The server serves rows older than its settle window.
    await new Promise((resolve) => setTimeout(resolve, 1_200))

    const first = await core.sync.syncNow()
    expect(first.error).toBeNull()
    const cached = first.cachedAnomalies
    expect(cached).toBeGreaterThan(0)
    const withFeatures = core.store.db
      .prepare('SELECT COUNT(*) FROM anomalies WHERE length(features) = ?')
      .pluck()
      .get(FEATURE_NAMES.length * 4)
    expect(withFeatures).toBe(cached)
    // Scored by the shipped model on the server and here: nothing to re-score yet.
    expect(first.modelChange).toBeNull()

    const next = await generousModel('3.0.0')
    expect((await core.handlers['server.call']({ type: 'mutation', path: 'models.register', input: next.input })).error).toBeUndefined()
    expect((await core.handlers['server.call']({ type: 'mutation', path: 'models.activate', input: { version: '3.0.0' } })).error).toBeUndefined()

    const second = await core.sync.syncNow()
    expect(second.error).toBeNull()
    expect(await core.scoring.modelVersion()).toBe('3.0.0')
    const change = second.modelChange
    expect(change).toMatchObject({ to: '3.0.0', rescored: cached })
    expect(change?.from).toMatch(/^default@/)
    expect(change?.up).toBeGreaterThan(0)
    expect(change?.moved).toBe((change?.up ?? 0) + (change?.down ?? 0) + (change?.dropped ?? 0))

    // Every row now shows the new model's ONNX score of its own features.
    const reference = await loadModelArtifact(next.dir)
    try {
      const rows = core.store.db.prepare('SELECT id, features, score, severity, model_version, moved FROM anomalies ORDER BY n').all() as Array<{
        id: string
        features: Buffer
        score: number
        severity: string
        model_version: string
        moved: string | null
      }>
      const input = new Float32Array(rows.length * FEATURE_NAMES.length)
      rows.forEach((r, i) =>
        input.set(new Float32Array(r.features.buffer.slice(r.features.byteOffset, r.features.byteOffset + r.features.byteLength)), i * FEATURE_NAMES.length),
      )
      const expected = await reference.scorer.score(input, rows.length)
      rows.forEach((r, i) => {
        expect(r.model_version).toBe('3.0.0')
        expect(r.score).toBeCloseTo(expected[i]!.score, 6)
        expect(r.severity).toBe(expected[i]!.severity)
      })
      expect(rows.filter((r) => r.moved !== null)).toHaveLength(change?.moved ?? -1)
    } finally {
      await reference.scorer.close()
    }

    // The queue's filter and detail see it; a sync with nothing new changes nothing.
    const moved = await core.handlers['queue.snapshot']({ filters: { moved: true }, sort: 'severity' })
    expect(moved.data?.total).toBe(change?.moved)
    const third = await core.sync.syncNow()
    expect(third.modelChange).toEqual(change)
  })
})
