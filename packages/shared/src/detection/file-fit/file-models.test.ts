import { describe, expect, it } from 'vitest'
import { createRandom } from '../../random.ts'
import { FEATURE_INDEX, FEATURE_NAMES } from '../features/compute-features.ts'
import { DEFAULT_ALERT_BUDGET } from '../models/anomaly-model.ts'
import type { TransactionExtras } from '../row-conversion.ts'
import { buildFileFeatureMatrix, isolationColumns, MAX_TYPE_COLUMNS, selectColumns } from './file-features.ts'
import { fitFileIsolationForest, scoreFileWithoutLabels, splitRows, thresholdsFromBudget, trainOnFileLabels } from './file-models.ts'

const WIDTH = FEATURE_NAMES.length

/** Engine rows with random amounts (column `amount`) and noise elsewhere. */
function engineRows(count: number, seed: number): Float32Array {
  const random = createRandom(seed)
  const rows = new Float32Array(count * WIDTH)
  for (let i = 0; i < rows.length; i += 1) rows[i] = random.normal(0, 1)
  for (let r = 0; r < count; r += 1) rows[r * WIDTH + FEATURE_INDEX.amount] = 100 + random.int(0, 900)
  return rows
}

/** Ordinary payments: the balance falls by exactly the amount. */
function honestExtras(rows: Float32Array, seed: number): TransactionExtras[] {
  const random = createRandom(seed)
  const count = rows.length / WIDTH
  return Array.from({ length: count }, (_, r) => {
    const amount = rows[r * WIDTH + FEATURE_INDEX.amount] as number
    const before = 1_000 + random.int(0, 50_000)
    return { transactionType: random.next() < 0.5 ? 'PAYMENT' : 'CASH_IN', balanceBefore: before, balanceAfter: before - amount }
  })
}

describe('buildFileFeatureMatrix', () => {
  it('appends balance deltas, the balance error, zero flags and a type one-hot after the engine features', () => {
    const rows = engineRows(3, 1)
    const amount = rows[FEATURE_INDEX.amount] as number
    const matrix = buildFileFeatureMatrix(rows, [
      { transactionType: 'TRANSFER', balanceBefore: 5_000, balanceAfter: 0 },
      { transactionType: 'PAYMENT', balanceBefore: 0, balanceAfter: 0 },
      undefined,
    ])
    expect(matrix.extraNames).toEqual([
      'balance_before',
      'balance_delta',
      'balance_error',
      'amount_over_balance',
      'balance_before_zero',
      'balance_after_zero',
      'type_payment',
      'type_transfer',
    ])
    expect(matrix.width).toBe(WIDTH + 8)
    expect(matrix.featureNames.slice(0, WIDTH)).toEqual([...FEATURE_NAMES])
    const value = (row: number, name: string): number => matrix.rows[row * matrix.width + matrix.featureNames.indexOf(name)] as number
    expect(value(0, 'balance_delta')).toBe(5_000)
    expect(value(0, 'balance_error')).toBeCloseTo(5_000 - amount, 3)
    expect(value(0, 'balance_after_zero')).toBe(1)
    expect(value(0, 'type_transfer')).toBe(1)
    expect(value(0, 'type_payment')).toBe(0)
    expect(value(1, 'balance_before_zero')).toBe(1)
    expect(value(2, 'type_payment') + value(2, 'type_transfer')).toBe(0)
    expect(Array.from(matrix.rows.subarray(matrix.width, matrix.width + WIDTH))).toEqual(Array.from(rows.subarray(WIDTH, 2 * WIDTH)))
  })

  it('leaves out columns whose fields no row has, and bounds the one-hot types', () => {
    const count = MAX_TYPE_COLUMNS + 3
    const extras = Array.from({ length: count }, (_, i): TransactionExtras => ({ transactionType: `T${i}` }))
    const matrix = buildFileFeatureMatrix(engineRows(count, 2), extras)
    expect(matrix.types).toHaveLength(MAX_TYPE_COLUMNS)
    expect(matrix.extraNames.at(-1)).toBe('type_other')
    expect(matrix.extraNames.some((n) => n.startsWith('balance'))).toBe(false)
    const plain = buildFileFeatureMatrix(engineRows(2, 2), [undefined, undefined])
    expect(plain.width).toBe(WIDTH)
    expect(isolationColumns(plain)).toEqual([...FEATURE_NAMES])
  })

  it('refuses misaligned extras and selects columns by name', () => {
    expect(() => buildFileFeatureMatrix(engineRows(2, 3), [undefined])).toThrow(/1 extras for 2 rows/)
    const matrix = buildFileFeatureMatrix(engineRows(2, 3), [{ balanceBefore: 1 }, { balanceBefore: 2 }])
    const picked = selectColumns(matrix, isolationColumns(matrix))
    expect(picked.featureNames).toEqual(['amount', 'balance_before', 'amount_over_balance', 'balance_before_zero'])
    expect(picked.rows[picked.width + 1]).toBe(2)
    expect(() => selectColumns(matrix, ['nope'])).toThrow(/no column "nope"/)
  })
})

describe('models fitted on the file', () => {
  it('an isolation forest ranks a planted account-emptying transfer first, with the budget of alerts', () => {
    // Fewer rows than a tree's sample (256): every tree sees the planted row. (A lone
    // row in a big file is isolated only by the trees whose sample holds it.)
    const rows = engineRows(250, 4)
    const extras = honestExtras(rows, 5)
    const planted = 123
    extras[planted] = { transactionType: 'TRANSFER', balanceBefore: 9_000_000, balanceAfter: 0 }
    const matrix = buildFileFeatureMatrix(rows, extras)
    const { scores, severityThresholds } = scoreFileWithoutLabels(matrix)
    const top = scores.indexOf(Math.max(...scores))
    expect(top).toBe(planted)
    const high = scores.filter((s) => s >= severityThresholds.high).length
    expect(high).toBeLessThanOrEqual(Math.ceil(250 * DEFAULT_ALERT_BUDGET.high * 1.5))
    expect(scores[planted]).toBeGreaterThanOrEqual(severityThresholds.critical)
  })

  it('trees trained on the file labels rank the labelled pattern first and measure it on rows they never saw', () => {
    const count = 3_000
    const rows = engineRows(count, 6)
    const extras = honestExtras(rows, 7)
    const labels = new Uint8Array(count)
    const random = createRandom(8)
    for (let i = 0; i < count; i += 1) {
      if (random.next() < 0.05) {
        labels[i] = 1
        const before = extras[i]?.balanceBefore ?? 0
        extras[i] = { transactionType: 'TRANSFER', balanceBefore: before, balanceAfter: 0 }
      }
    }
    const matrix = buildFileFeatureMatrix(rows, extras)
    const times = Array.from({ length: count }, (_, i) => count - i) // the file is newest first
    const result = trainOnFileLabels(matrix, labels, { order: times })
    expect(result.evaluation.split).toBe('time')
    expect(result.evaluation.holdoutRows).toBe(600)
    expect(result.evaluation.aucRoc).toBeGreaterThan(0.99)
    expect(result.evaluation.holdoutFrauds).toBe(labels.subarray(0, 600).reduce((a, b) => a + b, 0))
    const byScore = Array.from(result.scores.keys()).sort((a, b) => (result.scores[b] as number) - (result.scores[a] as number))
    expect(byScore.slice(0, 50).every((i) => labels[i] === 1)).toBe(true)
    // Without the labelled pattern in the columns, nothing can be learnt: chance.
    const noise = trainOnFileLabels({ rows, width: WIDTH }, labels)
    expect(noise.evaluation.split).toBe('random')
    expect(noise.evaluation.aucRoc).toBeLessThan(0.7)
  })

  it('refuses labels that cannot be learnt from, with what is wrong', () => {
    const matrix = { rows: engineRows(100, 9), width: WIDTH }
    expect(() => trainOnFileLabels(matrix, new Uint8Array(99))).toThrow(/100 rows but 99 labels/)
    expect(() => trainOnFileLabels(matrix, new Uint8Array(100))).toThrow(/marks 0 frauds among the 80 training rows; at least 10/)
    expect(() => trainOnFileLabels(matrix, new Uint8Array(100).fill(1))).toThrow(/every training row as fraud/)
    expect(() => trainOnFileLabels(matrix, new Uint8Array(100), { holdoutFraction: 1 })).toThrow(/holdoutFraction/)
    expect(() => fitFileIsolationForest({ rows: new Float32Array(WIDTH), width: WIDTH })).toThrow(/at least 2 rows/)
  })

  it('holds out the latest rows by time, or a seeded random share', () => {
    expect(splitRows(5, 0.4, [50, 10, 40, 20, 30], 1)).toEqual({ train: [1, 3, 4], holdout: [0, 2] })
    const a = splitRows(100, 0.2, undefined, 3)
    expect(a).toEqual(splitRows(100, 0.2, undefined, 3))
    expect(a.holdout).toHaveLength(20)
    expect(new Set([...a.train, ...a.holdout]).size).toBe(100)
  })

  it('moves a cut-off above tied scores rather than alerting on all of them', () => {
    const scores = Float64Array.from({ length: 1_000 }, (_, i) => (i < 990 ? 0.5 : 0.9 + i / 10_000))
    const t = thresholdsFromBudget(scores, { medium: 0.02, high: 0.005, critical: 0.001 })
    expect(scores.filter((s) => s >= t.medium).length).toBe(10)
    expect(scores.filter((s) => s >= t.high).length).toBe(5)
    expect(scores.filter((s) => s >= t.critical).length).toBe(1)
  })
})
