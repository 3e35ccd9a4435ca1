import { describe, expect, it } from 'vitest'
import { aucRoc, averagePrecision, quantile } from './metrics.ts'

describe('metrics', () => {
  it('matches hand-computed AUC and average precision, ties included', () => {
    // Ranked: 0.9(1) 0.8(0) 0.7(1) 0.1(0): AUC = 3 of 4 pairs ordered right.
    expect(aucRoc([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0])).toBeCloseTo(0.75, 12)
    // AP = 0.5 * 1 + 0.5 * (2/3), as scikit-learn computes it.
    expect(averagePrecision([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0])).toBeCloseTo(0.5 + 1 / 3, 12)
    expect(aucRoc([0.5, 0.5], [1, 0])).toBeCloseTo(0.5, 12)
    expect(averagePrecision([0.5, 0.5], [1, 0])).toBeCloseTo(0.5, 12)
    expect(aucRoc([1, 2], [0, 0])).toBeNaN()
  })

  it('takes nearest-rank quantiles', () => {
    expect(quantile([5, 1, 4, 2, 3], 0.8)).toBe(4)
    expect(quantile([5, 1, 4, 2, 3], 1)).toBe(5)
  })
})
