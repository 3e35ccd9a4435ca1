import { describe, expect, it } from 'vitest'
import { generateTransactions } from '../generator/generate-transactions.ts'
import { createRandom } from '../random.ts'
import { explainScore, parseExplanationData, toExplanationData } from './explain.ts'
import { FEATURE_WORDS, moneyFormatter } from './feature-labels.ts'
import { FEATURE_INDEX, FEATURE_NAMES } from './features/compute-features.ts'
import { buildFeatureMatrix } from './features/feature-matrix.ts'
import { isolationScore } from './models/isolation-forest.ts'
import { scoreFeatures, type AnomalyModel } from './models/anomaly-model.ts'
import { predictRaw } from './models/tree-ensemble.ts'
import { trainAnomalyModel } from './models/train-model.ts'

const width = FEATURE_NAMES.length
const data = buildFeatureMatrix(generateTransactions({ seed: 5, customers: 300, terminals: 300, days: 40 }))
const supervisedOptions = { labels: data.labels ?? undefined, isolation: { trees: 30 }, boosting: { rounds: 30, maxDepth: 3 } }
// The product's blend (the isolation score raises the probability) and the older weighted mean.
const blended = trainAnomalyModel(data.rows, { ...supervisedOptions, isolationBlend: 0.1, isolationBlendRule: 'raise' }).model
const weightedMean = trainAnomalyModel(data.rows, { ...supervisedOptions, isolationBlend: 0.2, isolationBlendRule: 'weighted-mean' }).model
const isolationOnly = trainAnomalyModel(data.rows, { isolation: { trees: 30 } }).model

/** Rows of the data set, and rows whose columns come from different rows (unlike any seen). */
function randomRows(count: number, seed: number): number[][] {
  const random = createRandom(seed)
  const rowAt = (r: number): number[] => Array.from(data.rows.subarray(r * width, (r + 1) * width))
  return Array.from({ length: count }, (_, k) => {
    const row = rowAt(random.int(0, data.count))
    if (k % 2 === 1) for (let f = 0; f < width; f += 1) if (random.next() < 0.3) row[f] = rowAt(random.int(0, data.count))[f] as number
    return row
  })
}

const sum = (xs: readonly { contribution: number }[]): number => xs.reduce((s, x) => s + x.contribution, 0)

describe.each([
  ['boosted trees raised by the isolation score', blended, 1],
  ['boosted trees and isolation forest, weighted mean', weightedMean, 2],
  ['isolation forest alone', isolationOnly, 3],
] as const)('explainScore with %s', (_kind, model: AnomalyModel, seed: number) => {
  const rows = randomRows(200, seed)

  it('has contributions that add up to the model score from the baseline', () => {
    for (const row of rows) {
      const e = explainScore(model, row, [])
      const score = scoreFeatures(model, row).score
      expect(e.score).toBeCloseTo(score, 12)
      expect(e.modelScore).toBeCloseTo(score, 9)
      expect(Math.abs(e.baseline + sum(e.contributions) - score)).toBeLessThan(1e-6)
      expect(Math.abs(e.baseline + sum(e.raisedBy) + sum(e.loweredBy) - score)).toBeLessThan(1e-6)
    }
  })

  it('splits raised from lowered, largest first', () => {
    let lowered = 0
    for (const row of rows) {
      const e = explainScore(model, row, [])
      expect(e.raisedBy.every((c) => c.contribution > 0)).toBe(true)
      expect(e.loweredBy.every((c) => c.contribution < 0)).toBe(true)
      const sizes = e.contributions.map((c) => Math.abs(c.contribution))
      expect(sizes).toEqual([...sizes].sort((a, b) => b - a))
      lowered += e.loweredBy.length
    }
    // Not an empty claim: some rows do have features that pulled the score down.
    expect(lowered).toBeGreaterThan(0)
  })

  it('survives being stored: baseline + stored contributions + other = model score', () => {
    for (const row of rows.slice(0, 40)) {
      const e = explainScore(model, row, [])
      const stored = JSON.parse(JSON.stringify(toExplanationData(e))) as ReturnType<typeof toExplanationData>
      expect(stored.v).toBe(2)
      expect(Math.abs(stored.baseline + sum(stored.raisedBy) + sum(stored.loweredBy) + stored.other - e.modelScore)).toBeLessThan(1e-6)
      const view = parseExplanationData(stored)
      expect(view?.units).toBe('score')
      expect(view?.bars.length).toBe(stored.raisedBy.length + stored.loweredBy.length)
    }
  })
})

describe('the isolation forest share', () => {
  const isoBaseline = (model: AnomalyModel): number => model.isolation.ensemble.trees.reduce((sum, t) => sum + (t.value[0] as number), 0)
  const isoScore = (model: AnomalyModel, row: number[]): number => isolationScore(model.isolation, predictRaw(model.isolation.ensemble, row))

  it('is, for a weighted mean, its weight times its move from its own baseline', () => {
    for (const row of randomRows(50, 4)) {
      const e = explainScore(weightedMean, row, [])
      const moved = isoScore(weightedMean, row) - isolationScore(weightedMean.isolation, isoBaseline(weightedMean))
      expect(e.isolationShare?.weight).toBe(0.2)
      expect(e.isolationShare?.contribution).toBeCloseTo(0.2 * moved, 9)
    }
  })

  it('is reported for a raised score, spread over the features, and pushes up only when the row is more isolated than usual', () => {
    let up = 0
    for (const row of randomRows(50, 5)) {
      const e = explainScore(blended, row, [])
      const share = e.isolationShare
      expect(share).not.toBeNull()
      expect(share?.contribution).toBeCloseTo(
        e.contributions.reduce((s, c) => s + c.isolation, 0),
        9,
      )
      const moreIsolated = isoScore(blended, row) > isolationScore(blended.isolation, isoBaseline(blended))
      expect((share?.contribution ?? 0) > 0).toBe(moreIsolated)
      if (moreIsolated) up += 1
      expect(e.summary).toContain('isolation forest share ')
    }
    expect(up).toBeGreaterThan(0)
  })

  it('is absent when the isolation forest is the whole score', () => {
    const e = explainScore(isolationOnly, randomRows(1, 6)[0] as number[], [])
    expect(e.isolationShare).toBeNull()
    expect(e.summary).not.toContain('isolation forest share')
    expect(e.contributions.every((c) => c.isolation === c.contribution)).toBe(true)
  })
})

describe('analyst words', () => {
  const samples = [-1, 0, 1, 2, 0.034, 38, 250.5, 5000]

  it('has a label and a phrase for every feature, with no snake_case and no decimals on counts', () => {
    for (const name of FEATURE_NAMES) {
      const words = FEATURE_WORDS[name]
      expect(words.label.length).toBeGreaterThan(2)
      expect(words.label).not.toContain('_')
      for (const v of samples) {
        const phrase = words.phrase(v, v > 0 ? v / 2 : null, moneyFormatter())
        expect(phrase).not.toContain('_')
        if (name.includes('_')) expect(phrase).not.toContain(name.replaceAll('_', ' '))
      }
    }
    expect(FEATURE_WORDS.acct_history_count.phrase(38, null, moneyFormatter())).toBe('38 earlier transactions on this account')
    expect(FEATURE_WORDS.acct_count_7d.phrase(1, 0.5, moneyFormatter())).toBe('1 transaction on this account in 7 days (usually 0.5)')
  })

  it('shows money with its currency only when known', () => {
    expect(FEATURE_WORDS.amount.phrase(1234.5, 80, moneyFormatter('EUR'))).toBe('amount 1234.50 EUR (usually 80.00 EUR)')
    expect(FEATURE_WORDS.amount.phrase(1234.5, null, moneyFormatter(null))).toBe('amount 1234.50')
    expect(FEATURE_WORDS.amount.phrase(10, null, moneyFormatter('not a code'))).toBe('amount 10.00')
  })

  it('writes one line that names what raised and what lowered the score, and the rules', () => {
    let withLowered = 0
    for (const row of randomRows(60, 6)) {
      const e = explainScore(blended, row, ['Big amount', 'Night spree'], { currency: 'USD' })
      expect(e.summary).not.toContain('_')
      expect(e.summary).not.toMatch(/\n/)
      expect(e.summary).toMatch(/^Score \d\.\d\d \((LOW|MEDIUM|HIGH|CRITICAL)\): /)
      expect(e.summary).toMatch(/; rules fired: Big amount, Night spree\.$/)
      const named = e.loweredBy.filter((c) => Math.abs(c.contribution) >= 0.0005)
      if (named.length > 0) {
        withLowered += 1
        expect(e.summary).toContain(`lowered by ${named[0]?.text ?? 'missing'} (-`)
      } else {
        expect(e.summary).not.toContain('lowered by')
      }
      const first = e.raisedBy[0]
      if (first && first.contribution >= 0.0005) expect(e.summary).toContain(`raised by ${first.text} (+`)
    }
    expect(withLowered).toBeGreaterThan(0)
  })

  it('says what a rule added on top of the model', () => {
    const row = randomRows(1, 7)[0] as number[]
    const plain = explainScore(blended, row, [])
    const boosted = { ...plain, score: Math.min(1, plain.score + 0.25) }
    const e = explainScore(blended, row, ['Big amount'], { scored: boosted })
    expect(e.ruleBoost).toBeCloseTo(boosted.score - plain.modelScore, 9)
    expect(e.summary).toContain('rules fired: Big amount (+')
    expect(toExplanationData(e).ruleBoost).toBe(e.ruleBoost)
  })

  it('compares the amount with the account norm, and not on a first transaction', () => {
    const row = new Array<number>(width).fill(0)
    row[FEATURE_INDEX.amount] = 500
    row[FEATURE_INDEX.acct_mean_amount] = 40
    row[FEATURE_INDEX.acct_history_count] = 12
    const amount = explainScore(blended, row, []).contributions.find((c) => c.feature === 'amount')
    expect(amount?.text).toBe('amount 500.00 (usually 40.00)')
    row[FEATURE_INDEX.acct_history_count] = 0
    expect(explainScore(blended, row, []).contributions.find((c) => c.feature === 'amount')?.norm ?? null).toBeNull()
  })
})

describe('parseExplanationData', () => {
  it('reads an older row in today words', () => {
    const view = parseExplanationData({
      topFeatures: [{ feature: 'acct_history_count', value: 38, norm: null, contribution: 0.8, text: 'acct history count 38.00' }],
      isolationScore: 0.6,
    })
    expect(view).toEqual({
      units: 'model',
      bars: [{ feature: 'acct_history_count', label: 'Account history', text: '38 earlier transactions on this account', contribution: 0.8, isolation: null }],
      isolationShare: null,
    })
  })

  it('returns null for rows with nothing to draw', () => {
    expect(parseExplanationData(null)).toBeNull()
    expect(parseExplanationData('text')).toBeNull()
    expect(parseExplanationData({ fixture: true })).toBeNull()
    expect(parseExplanationData({ topFeatures: [] })).toBeNull()
    expect(parseExplanationData({ v: 2, raisedBy: 'broken' })).toBeNull()
  })
})
