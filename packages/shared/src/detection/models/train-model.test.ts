import { describe, expect, it } from 'vitest'
import { generateTransactions } from '../../generator/generate-transactions.ts'
import { explainScore } from '../explain.ts'
import { FEATURE_NAMES } from '../features/compute-features.ts'
import { buildFeatureMatrix } from '../features/feature-matrix.ts'
import { evaluateRules } from '../rules.ts'
import { scoreFeatures } from './anomaly-model.ts'
import { trainAnomalyModel } from './train-model.ts'

const data = buildFeatureMatrix(generateTransactions({ seed: 11, customers: 400, terminals: 400, days: 45 }))
const width = FEATURE_NAMES.length

describe('trainAnomalyModel', () => {
  const { model, metrics } = trainAnomalyModel(data.rows, {
    labels: data.labels ?? undefined,
    isolation: { trees: 40 },
    boosting: { rounds: 40, maxDepth: 4 },
  })

  it('trains both models and detects held-out fraud well', () => {
    expect(model.supervised).not.toBeNull()
    expect(metrics.frauds).toBeGreaterThan(50)
    expect(metrics.holdoutAucRoc).toBeGreaterThan(0.85)
    expect(metrics.holdoutAveragePrecision).toBeGreaterThan(0.3)
  })

  it('stores ordered thresholds that match the alert budget', () => {
    const t = model.thresholds
    expect(t.medium).toBeLessThanOrEqual(t.high)
    expect(t.high).toBeLessThanOrEqual(t.critical)
    expect(metrics.alertRate.medium).toBeGreaterThanOrEqual(0.02)
    expect(metrics.alertRate.medium).toBeLessThan(0.05)
  })

  it('is unsupervised without labels and still ranks fraud above chance', () => {
    const unsupervised = trainAnomalyModel(data.rows, { isolation: { trees: 40 } }).model
    expect(unsupervised.supervised).toBeNull()
    let fraudSum = 0
    let fraudN = 0
    let allSum = 0
    for (let i = 0; i < data.count; i += 1) {
      const s = scoreFeatures(unsupervised, data.rows, i * width).score
      allSum += s
      if (data.labels?.[i]) {
        fraudSum += s
        fraudN += 1
      }
    }
    expect(fraudSum / fraudN).toBeGreaterThan(allSum / data.count)
  })

  it('explains the riskiest transaction with features, norms and rules', () => {
    let best = 0
    let bestScore = -1
    for (let i = 0; i < data.count; i += 1) {
      const s = scoreFeatures(model, data.rows, i * width).score
      if (s > bestScore) [best, bestScore] = [i, s]
    }
    const row = data.rows.subarray(best * width, (best + 1) * width)
    const rules = evaluateRules(row)
    const e = explainScore(model, row, rules)
    expect(e.score).toBeCloseTo(bestScore, 12)
    expect(e.severity).toBe('CRITICAL')
    expect(e.topFeatures.length).toBeGreaterThan(0)
    expect(e.topFeatures[0]?.contribution).toBeGreaterThan(0)
    expect(e.summary).toMatch(/^Score \d\.\d\d \(CRITICAL\): .+\.$/)
    expect(e.summary).toContain(e.topFeatures[0]?.text ?? 'missing')
  })
})
