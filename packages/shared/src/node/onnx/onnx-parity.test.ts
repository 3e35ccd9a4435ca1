import { describe, expect, it } from 'vitest'
import { FEATURE_NAMES } from '../../detection/features/compute-features.ts'
import { buildFeatureMatrix } from '../../detection/features/feature-matrix.ts'
import { combineRaw } from '../../detection/models/anomaly-model.ts'
import { trainAnomalyModel } from '../../detection/models/train-model.ts'
import { predictRaw } from '../../detection/models/tree-ensemble.ts'
import { generateTransactions } from '../../generator/generate-transactions.ts'
import { modelToOnnx } from './export-onnx.ts'
import { createOnnxScorer } from './onnx-scorer.ts'

const width = FEATURE_NAMES.length
const train = buildFeatureMatrix(generateTransactions({ seed: 21, customers: 300, terminals: 300, days: 40 }))
// Fresh data the trees never saw, so thresholds are hit from both sides.
const test = buildFeatureMatrix(generateTransactions({ seed: 22, customers: 300, terminals: 300, days: 40 }))

describe('ONNX export parity', () => {
  const { model } = trainAnomalyModel(train.rows, {
    labels: train.labels ?? undefined,
    isolation: { trees: 60 },
    boosting: { rounds: 60, maxDepth: 5 },
    isolationBlend: 0.2,
  })

  it('scores thousands of rows the same in ONNX Runtime as in the TS reference trees', async () => {
    expect(model.supervised).not.toBeNull()
    expect(test.count).toBeGreaterThan(5000)
    const scorer = await createOnnxScorer(modelToOnnx(model), model)
    const raw = await scorer.raw(test.rows, test.count)
    const scores = await scorer.score(test.rows, test.count)
    let maxScoreDiff = 0
    let maxIsoDiff = 0
    let maxSupDiff = 0
    for (let i = 0; i < test.count; i += 1) {
      const isoRef = predictRaw(model.isolation.ensemble, test.rows, i * width)
      const supRef = predictRaw(model.supervised ?? { trees: [], base: 0 }, test.rows, i * width)
      const ref = combineRaw(model, isoRef, supRef)
      maxIsoDiff = Math.max(maxIsoDiff, Math.abs(isoRef - (raw.isolation[i] as number)) / model.isolation.normaliser)
      maxSupDiff = Math.max(maxSupDiff, Math.abs(supRef - (raw.supervised?.[i] as number)))
      maxScoreDiff = Math.max(maxScoreDiff, Math.abs(ref.score - (scores[i]?.score as number)))
      expect(
        scores[i]?.severity === ref.severity ||
          Math.abs(ref.score - model.thresholds.medium) < 1e-5 ||
          Math.abs(ref.score - model.thresholds.high) < 1e-5 ||
          Math.abs(ref.score - model.thresholds.critical) < 1e-5,
      ).toBe(true)
    }
    expect(maxIsoDiff).toBeLessThan(1e-5)
    expect(maxSupDiff).toBeLessThan(1e-4)
    expect(maxScoreDiff).toBeLessThan(1e-5)
    await scorer.close()
  })

  it('exports an unsupervised model with only the isolation output', async () => {
    const unsupervised = trainAnomalyModel(train.rows, { isolation: { trees: 20 } }).model
    const scorer = await createOnnxScorer(modelToOnnx(unsupervised), unsupervised)
    const raw = await scorer.raw(test.rows, 100)
    expect(raw.supervised).toBeNull()
    expect(raw.isolation[5]).toBeCloseTo(predictRaw(unsupervised.isolation.ensemble, test.rows, 5 * width), 3)
    await scorer.close()
  })
})

describe('worker-thread ONNX scorer', () => {
  it('returns the same raw outputs as the in-thread scorer', async () => {
    const { createWorkerOnnxScorer } = await import('./onnx-worker-scorer.ts')
    const { model } = trainAnomalyModel(train.rows, { labels: train.labels ?? undefined, isolation: { trees: 10 }, boosting: { rounds: 10, maxDepth: 3 } })
    const bytes = modelToOnnx(model)
    const inThread = await createOnnxScorer(bytes, model)
    const worker = await createWorkerOnnxScorer(bytes, model)
    const [a, b] = await Promise.all([inThread.raw(test.rows, 2000), worker.raw(test.rows, 2000)])
    expect(Array.from(b.isolation)).toEqual(Array.from(a.isolation))
    expect(Array.from(b.supervised ?? [])).toEqual(Array.from(a.supervised ?? []))
    await Promise.all([inThread.close(), worker.close()])
  })
})
