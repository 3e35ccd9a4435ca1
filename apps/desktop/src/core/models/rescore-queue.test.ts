import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { severityRank, type Severity } from '@anomalyze/shared'
import { buildFeatureMatrix, FEATURE_NAMES, generateTransactions, parseExplanationData, severityOf, trainAnomalyModel } from '@anomalyze/shared/engine'
import { loadModelArtifact, saveModelArtifact, type LoadedModel } from '@anomalyze/shared/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeAnomaly, seedAnomalies, tempStore } from '../../../test/support/fixtures.ts'
import { readModelChange, rescoreQueue } from './rescore-queue.ts'

/**
 * Two real models (trained here, exported to ONNX, loaded through ONNX Runtime) score
 * the same generated feature rows differently; the queue is synced as scored by the
 * first, then re-scored with the second.
 */
describe('re-scoring the local queue with a new active model', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anomalyze-rescore-'))
  const budget = { medium: 0.3, high: 0.1, critical: 0.03 }
  let rows: Float32Array
  let count: number
  let first: LoadedModel
  let second: LoadedModel
  const width = FEATURE_NAMES.length

  async function trained(version: string, seed: number, trees: number): Promise<LoadedModel> {
    const { model } = trainAnomalyModel(rows, { isolation: { trees, seed }, alertBudget: budget })
    const folder = join(dir, version)
    await saveModelArtifact(folder, model, { version, training: { source: 'test', rows: count, frauds: null, from: null, to: null } })
    return loadModelArtifact(folder)
  }

  beforeAll(async () => {
    const matrix = buildFeatureMatrix(generateTransactions({ seed: 5, customers: 60, terminals: 60, days: 8 }))
    rows = matrix.rows
    count = matrix.count
    first = await trained('1.2.0', 1, 8)
    second = await trained('1.3.0', 99, 12)
  })
  afterAll(async () => {
    await first.scorer.close()
    await second.scorer.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('re-scores rows that have features, keeps what they showed, and marks the ones that moved', async () => {
    const n = Math.min(count, 400)
    const temp = tempStore()
    try {
      const before = await first.scorer.score(rows, n)
      const after = await second.scorer.score(rows, n)
      const vectorOf = (i: number) => Array.from(rows.subarray(i * width, (i + 1) * width))
      // Row 0 has no vector (stored before ingestion kept them): it must stay as it was.
      const synced = before.map((s, i) =>
        makeAnomaly(i, {
          score: s.score,
          severity: s.severity,
          modelVersion: '1.2.0',
          features: i === 0 ? null : vectorOf(i),
          ...(i === 1 ? { status: 'CONFIRMED_FRAUD' as const } : {}),
        }),
      )
      seedAnomalies(temp.store, synced)
      const progress: Array<[number, number]> = []
      const summary = await rescoreQueue({
        store: temp.store,
        model: { version: '1.3.0', loaded: second },
        now: 1_000,
        chunkSize: 64,
        onProgress: (d, t) => progress.push([d, t]),
      })

      expect(progress.at(-1)).toEqual([n - 1, n - 1])
      expect(progress.length).toBe(Math.ceil((n - 1) / 64))
      const stored = temp.store.db
        .prepare('SELECT id, score, severity, model_version, prev_score, prev_severity, prev_model_version, moved, status FROM anomalies ORDER BY id')
        .all() as Array<{
        id: string
        score: number
        severity: Severity
        model_version: string
        prev_score: number | null
        prev_severity: Severity | null
        prev_model_version: string | null
        moved: string | null
        status: string
      }>
      const tally = { up: 0, down: 0, dropped: 0 }
      stored.forEach((row, i) => {
        const was = before[i]!
        const now = after[i]!
        if (i === 0) {
          expect(row).toMatchObject({ score: was.score, severity: was.severity, model_version: '1.2.0', prev_score: null, moved: null })
          return
        }
        expect(row).toMatchObject({ model_version: '1.3.0', prev_score: was.score, prev_severity: was.severity, prev_model_version: '1.2.0' })
        expect(row.score).toBeCloseTo(now.score, 6)
        expect(row.severity).toBe(now.severity)
        const b = severityRank(was.severity)
        const a = severityRank(now.severity)
        if (a === b) expect(row.moved).toBeNull()
        else if (a > b) expect(row.moved).toBe('up')
        else expect(row.moved).toBe(b >= 1 && a === 0 ? 'dropped' : 'down')
        if (row.moved !== null) tally[row.moved as keyof typeof tally] += 1
      })
      // The data must exercise every kind of move, or this test proves little.
      expect(tally.up).toBeGreaterThan(0)
      expect(tally.down + tally.dropped).toBeGreaterThan(0)
      expect(stored.find((r) => r.id === synced[1]!.id)?.status).toBe('CONFIRMED_FRAUD')
      expect(summary).toEqual({ from: '1.2.0', to: '1.3.0', at: 1_000, rescored: n - 1, moved: tally.up + tally.down + tally.dropped, ...tally })
      expect(readModelChange(temp.store)).toEqual(summary)

      // The queue's filter and the detail pane see the same thing.
      expect(temp.store.queue.snapshot({ filters: { moved: true }, sort: 'severity' }).total).toBe(summary?.moved)
      const movedRow = stored.find((r) => r.moved !== null)!
      expect(temp.store.queue.get(movedRow.id)).toMatchObject({
        moved: movedRow.moved,
        modelVersion: '1.3.0',
        rescore: { previousScore: movedRow.prev_score, previousSeverity: movedRow.prev_severity, previousModelVersion: '1.2.0' },
      })

      // Nothing left to do under the same model.
      expect(await rescoreQueue({ store: temp.store, model: { version: '1.3.0', loaded: second }, now: 2_000 })).toBeNull()

      // A pull of a label made elsewhere (the server still holds the 1.2.0 score) keeps
      // the local score and marker; a row the server itself re-scored takes the server's.
      const labelled = { ...synced[2]!, status: 'FALSE_POSITIVE' as const, updatedAt: 9_000 }
      const serverRescored = { ...synced[3]!, score: 0.5, severity: 'HIGH' as const, modelVersion: '1.4.0', updatedAt: 9_001 }
      seedAnomalies(temp.store, [labelled, serverRescored])
      expect(temp.store.queue.get(labelled.id)).toMatchObject({
        status: 'FALSE_POSITIVE',
        score: stored[2]!.score,
        modelVersion: '1.3.0',
        moved: stored[2]!.moved,
      })
      expect(temp.store.queue.get(serverRescored.id)).toMatchObject({ score: 0.5, severity: 'HIGH', modelVersion: '1.4.0', moved: null, rescore: null })
    } finally {
      temp.cleanup()
    }
  })

  it('starts a new summary for the next model and clears the markers of the last one', async () => {
    const n = 120
    const temp = tempStore()
    try {
      const before = await first.scorer.score(rows, n)
      seedAnomalies(
        temp.store,
        before.map((s, i) =>
          makeAnomaly(i, { score: s.score, severity: s.severity, modelVersion: '1.2.0', features: Array.from(rows.subarray(i * width, (i + 1) * width)) }),
        ),
      )
      const toSecond = await rescoreQueue({ store: temp.store, model: { version: '1.3.0', loaded: second }, now: 1 })
      expect(toSecond?.moved).toBeGreaterThan(0)
      // Rollback to the first model: every row goes back to its first score.
      const back = await rescoreQueue({ store: temp.store, model: { version: '1.2.0', loaded: first }, now: 2 })
      expect(back).toMatchObject({ from: '1.3.0', to: '1.2.0', rescored: n, moved: toSecond?.moved })
      const scores = temp.store.db.prepare('SELECT score FROM anomalies ORDER BY id').pluck().all() as number[]
      scores.forEach((s, i) => expect(s).toBeCloseTo(before[i]!.score, 6))
      expect(temp.store.queue.snapshot({ filters: { moved: true }, sort: 'score' }).total).toBe(back?.moved)
    } finally {
      temp.cleanup()
    }
  })

  it('leaves rows whose stored vector has another width (an older build) as they were', async () => {
    const temp = tempStore()
    try {
      const before = await first.scorer.score(rows, 2)
      seedAnomalies(
        temp.store,
        before.map((s, i) =>
          makeAnomaly(i, { score: s.score, severity: s.severity, modelVersion: '1.2.0', features: Array.from(rows.subarray(i * width, (i + 1) * width)) }),
        ),
      )
      // Row 1 as an older console stored it: five features fewer.
      const narrow = Buffer.from(Float32Array.from(rows.subarray(width, 2 * width - 5)).buffer)
      const ids = temp.store.db.prepare('SELECT id FROM anomalies ORDER BY id').pluck().all() as string[]
      temp.store.db.prepare('UPDATE anomalies SET features = ? WHERE id = ?').run(narrow, ids[1])
      const summary = await rescoreQueue({ store: temp.store, model: { version: '1.3.0', loaded: second }, now: 1 })
      expect(summary?.rescored).toBe(1)
      const versions = temp.store.db.prepare('SELECT model_version FROM anomalies ORDER BY id').pluck().all()
      expect(versions).toEqual(['1.3.0', '1.2.0'])
    } finally {
      temp.cleanup()
    }
  })
})

describe('the status bar moved-count and the Moved filter', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anomalyze-moved-count-'))
  let first: LoadedModel
  let second: LoadedModel
  let rows: Float32Array
  let count: number
  const width = FEATURE_NAMES.length

  beforeAll(async () => {
    const matrix = buildFeatureMatrix(generateTransactions({ seed: 7, customers: 50, terminals: 50, days: 8 }))
    rows = matrix.rows
    count = matrix.count
    const budget = { medium: 0.3, high: 0.1, critical: 0.03 }
    const models: LoadedModel[] = []
    for (const [version, seed] of [
      ['2.0.0', 3],
      ['2.1.0', 42],
    ] as const) {
      const { model } = trainAnomalyModel(rows, { isolation: { trees: 10, seed }, alertBudget: budget })
      await saveModelArtifact(join(dir, version), model, { version, training: { source: 'test', rows: matrix.count, frauds: null, from: null, to: null } })
      models.push(await loadModelArtifact(join(dir, version)))
    }
    ;[first, second] = models as [LoadedModel, LoadedModel]
  })
  afterAll(async () => {
    await first.scorer.close()
    await second.scorer.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('are one figure after re-scores in both directions, a later pull and rows without vectors', async () => {
    const n = Math.min(300, count)
    const temp = tempStore()
    try {
      const before = await first.scorer.score(rows, n)
      const synced = before.map((s, i) =>
        makeAnomaly(i, {
          score: s.score,
          severity: s.severity,
          modelVersion: '2.0.0',
          // Every tenth row came without a vector: it cannot be re-scored.
          features: i % 10 === 0 ? null : Array.from(rows.subarray(i * width, (i + 1) * width)),
        }),
      )
      seedAnomalies(temp.store, synced)
      const summary = await rescoreQueue({ store: temp.store, model: { version: '2.1.0', loaded: second }, now: 1 })
      const filterTotal = () => temp.store.queue.snapshot({ filters: { moved: true }, sort: 'severity' }).total
      expect(summary?.up).toBeGreaterThan(0)
      expect((summary?.down ?? 0) + (summary?.dropped ?? 0)).toBeGreaterThan(0)
      expect(summary?.moved).toBe(filterTotal())

      // The server re-sends a marked row scored by yet another version: its marker goes,
      // and the status bar's figure goes with it.
      const marked = temp.store.db.prepare('SELECT id FROM anomalies WHERE moved IS NOT NULL ORDER BY n LIMIT 1').pluck().get() as string
      const index = synced.findIndex((a) => a.id === marked)
      seedAnomalies(temp.store, [{ ...synced[index]!, modelVersion: '9.9.9', updatedAt: 99_000 }])
      expect(readModelChange(temp.store)?.moved).toBe(filterTotal())
      expect(readModelChange(temp.store)?.moved).toBe((summary?.moved ?? 0) - 1)

      // Every row's severity is the active model's mapping of the score it shows,
      // rows without a vector included (their score stays, their severity follows).
      const t = second.model.thresholds
      const shown = temp.store.db.prepare("SELECT score, severity, model_version FROM anomalies WHERE model_version != '9.9.9'").all() as Array<{
        score: number
        severity: Severity
      }>
      for (const row of shown) expect(row.severity).toBe(severityOf(t, row.score))
    } finally {
      temp.cleanup()
    }
  })

  it('recomputes the explanation of a re-scored row for its new score', async () => {
    const temp = tempStore()
    try {
      const before = await first.scorer.score(rows, 20)
      seedAnomalies(
        temp.store,
        before.map((s, i) =>
          makeAnomaly(i, { score: s.score, severity: s.severity, modelVersion: '2.0.0', features: Array.from(rows.subarray(i * width, (i + 1) * width)) }),
        ),
      )
      await rescoreQueue({ store: temp.store, model: { version: '2.1.0', loaded: second }, now: 1 })
      const stored = temp.store.db.prepare('SELECT score, severity, explanation, explanation_data FROM anomalies ORDER BY n').all() as Array<{
        score: number
        severity: Severity
        explanation: string
        explanation_data: string
      }>
      for (const row of stored) {
        expect(row.explanation).toContain(`Score ${row.score.toFixed(2)} (${row.severity})`)
        const data: unknown = JSON.parse(row.explanation_data)
        expect(data).toHaveProperty('topFeatures')
        // The version-2 shape every writer uses: the pane's bars stay in score points.
        expect(parseExplanationData(data)?.units).toBe('score')
      }
    } finally {
      temp.cleanup()
    }
  })
})
