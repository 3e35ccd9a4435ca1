import { describe, expect, it } from 'vitest'
import { createRandom } from '../../random.ts'
import { aucRoc } from '../metrics.ts'
import { binOf, computeEdges } from './binning.ts'
import { sigmoid, trainGradientBoosting } from './gradient-boosting.ts'
import { averagePathLength, isolationScore, trainIsolationForest } from './isolation-forest.ts'
import { pathContributions, predictRaw, predictRawBatch } from './tree-ensemble.ts'

const WIDTH = 4
/** Rows whose label depends on x0 > 1 and x1 < 0.3 (x2, x3 are noise). */
function dataset(n: number, seed: number): { rows: Float32Array; labels: Uint8Array } {
  const random = createRandom(seed)
  const rows = new Float32Array(n * WIDTH)
  const labels = new Uint8Array(n)
  for (let i = 0; i < n; i += 1) {
    const x = [random.normal(), random.next(), random.normal(), Math.floor(random.next() * 5)]
    rows.set(x, i * WIDTH)
    labels[i] = (x[0] as number) > 1 && (x[1] as number) < 0.3 ? 1 : 0
  }
  return { rows, labels }
}

describe('binning', () => {
  it('bins so that bin <= b exactly when x <= edges[b]', () => {
    const { rows } = dataset(3000, 3)
    for (let f = 0; f < WIDTH; f += 1) {
      const edges = computeEdges(rows, WIDTH, f)
      expect(edges.length).toBeLessThanOrEqual(255)
      for (let i = 0; i < 3000; i += 97) {
        const x = rows[i * WIDTH + f] as number
        const bin = binOf(edges, x)
        for (let b = 0; b < edges.length; b += 17) expect(bin <= b).toBe(x <= (edges[b] as number))
      }
    }
    expect(Array.from(computeEdges(rows, WIDTH, 3))).toEqual([0, 1, 2, 3]) // 5 distinct values
  })

  it('puts edges into a sparse tail that quantiles alone would leave in one bin', () => {
    // 10,000 amounts 0..100 and a tail of 40 between 150 and 400: quantiles put
    // every tail value in the last bin or two; a split at 220 needs an edge near it.
    const random = createRandom(5)
    const values = [...Array.from({ length: 10_000 }, () => random.next() * 100), ...Array.from({ length: 40 }, () => 150 + random.next() * 250)]
    const edges = Array.from(computeEdges(Float32Array.from(values), 1, 0))
    expect(edges.length).toBeLessThanOrEqual(255)
    expect(edges.filter((e) => e > 150).length).toBeGreaterThan(10)
    expect(edges.some((e) => e > 200 && e < 240)).toBe(true)
    expect(edges).toEqual([...edges].sort((a, b) => a - b))
  })
})

describe('isolation forest', () => {
  it('scores an outlier above inliers, deterministically', () => {
    const { rows } = dataset(2000, 5)
    const forest = trainIsolationForest(rows, WIDTH, { trees: 50, seed: 9 })
    const again = trainIsolationForest(rows, WIDTH, { trees: 50, seed: 9 })
    expect(JSON.stringify(again)).toBe(JSON.stringify(forest))
    const inlier = isolationScore(forest, predictRaw(forest.ensemble, [0, 0.5, 0, 2]))
    const outlier = isolationScore(forest, predictRaw(forest.ensemble, [8, 0.5, -7, 2]))
    expect(outlier).toBeGreaterThan(0.6)
    expect(inlier).toBeLessThan(0.5)
    expect(averagePathLength(256)).toBeCloseTo(10.2448, 3)
  })
})

describe('gradient boosting', () => {
  it('learns a two-feature rule and generalises to fresh data', () => {
    const train = dataset(5000, 1)
    const test = dataset(3000, 2)
    const ensemble = trainGradientBoosting(train.rows, WIDTH, train.labels, { rounds: 40, maxDepth: 3 })
    const scores = predictRawBatch(ensemble, test.rows, WIDTH)
    expect(aucRoc(scores, test.labels)).toBeGreaterThan(0.99)
    expect(sigmoid(predictRaw(ensemble, [2, 0.1, 0, 0]))).toBeGreaterThan(0.9)
    expect(sigmoid(predictRaw(ensemble, [-1, 0.1, 0, 0]))).toBeLessThan(0.1)
  })

  it('is deterministic with subsampling and credits the right features', () => {
    const { rows, labels } = dataset(3000, 4)
    const options = { rounds: 20, maxDepth: 3, subsample: 0.7, seed: 3 }
    const a = trainGradientBoosting(rows, WIDTH, labels, options)
    expect(JSON.stringify(trainGradientBoosting(rows, WIDTH, labels, options))).toBe(JSON.stringify(a))
    const row = [2, 0.1, 0.3, 1]
    const contributions = pathContributions(a, row, WIDTH)
    // Contributions add up to the raw output minus the root expectations.
    const rootSum = a.trees.reduce((s, t) => s + (t.value[0] as number), a.base)
    expect(contributions.reduce((s, c) => s + c, rootSum)).toBeCloseTo(predictRaw(a, row), 9)
    expect(Math.min(contributions[0] as number, contributions[1] as number)).toBeGreaterThan(Math.abs(contributions[2] as number))
  })

  it('refuses labels without both classes', () => {
    const { rows } = dataset(100, 1)
    expect(() => trainGradientBoosting(rows, WIDTH, new Uint8Array(100))).toThrow(/both/)
  })
})
