import { describe, expect, it } from 'vitest'
import { generateTransactions } from '../../generator/generate-transactions.ts'
import { explainScore } from '../explain.ts'
import { FEATURE_NAMES } from '../features/compute-features.ts'
import { buildFeatureMatrix } from '../features/feature-matrix.ts'
import { evaluateRules } from '../rules.ts'
import { blendParts, scoreFeatureBatch, scoreFeatures, type AnomalyModel } from './anomaly-model.ts'
import { RECOMMENDED_TRAINING, trainAnomalyModel } from './train-model.ts'

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

describe('isolation blend rules', () => {
  const { model } = trainAnomalyModel(data.rows, {
    labels: data.labels ?? undefined,
    isolation: { trees: 40 },
    boosting: { rounds: 40, maxDepth: 4 },
    isolationBlend: 0.3,
  })
  const parts = Array.from({ length: data.count }, (_, i) => {
    const s = scoreFeatures(model, data.rows, i * width)
    return { ...s, parts: blendParts(model, s.isolationScore, s.fraudProbability) }
  })

  it("trains new models with the 'raise' rule, as the shipped defaults do", () => {
    expect(model.isolationBlendRule).toBe('raise')
    expect(RECOMMENDED_TRAINING.isolationBlendRule).toBe('raise')
  })

  it('splits every score into a supervised and an isolation part that add up to it', () => {
    for (const p of parts) expect(p.parts.supervised + p.parts.isolation).toBeCloseTo(p.score, 12)
  })

  it("'raise' only raises the probability, by at most weight * (1 - p)", () => {
    for (const p of parts) {
      const probability = p.fraudProbability as number
      expect(p.score).toBeGreaterThanOrEqual(probability)
      expect(p.score - probability).toBeLessThanOrEqual(0.3 * (1 - probability) + 1e-12)
    }
  })

  it('scores a model saved before the rule existed with the weighted mean it was trained with', () => {
    const old: AnomalyModel = { ...model }
    delete old.isolationBlendRule
    const rows = data.rows.subarray(0, 50 * width)
    const scores = scoreFeatureBatch(old, rows)
    for (let i = 0; i < 50; i += 1) {
      const s = scoreFeatures(old, rows, i * width)
      expect(scores[i]).toBeCloseTo(0.7 * (s.fraudProbability as number) + 0.3 * s.isolationScore, 12)
      expect(s.score).toBeCloseTo(scores[i] as number, 12)
    }
  })
})
