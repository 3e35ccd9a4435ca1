/**
 * A compact picture of each feature's distribution in a model's training data, kept in
 * the model's manifest so a file scored later can be compared with what the model saw
 * (see file-domain.ts). Pure: no I/O.
 */
export interface FeatureDistribution {
  name: string
  min: number
  max: number
  mean: number
  /** Share of rows where the value is exactly 0. */
  zeroShare: number
  /** Every profiled row had the same value. */
  constant: boolean
  /**
   * Upper edges of the bins, ascending and distinct: bin i holds values <= edges[i]
   * (and > edges[i - 1]); the last bin, beyond the last edge, holds the rest. From
   * the deciles, so a feature with many ties has fewer bins.
   */
  edges: number[]
  /** Share of rows in each bin: edges.length + 1 numbers summing to 1. */
  shares: number[]
}

export interface FeatureProfile {
  /** Rows the profile was computed from (after sampling). */
  rows: number
  features: FeatureDistribution[]
}

/** Enough for deciles to within a fraction of a percent; bounds the work on huge files. */
export const PROFILE_SAMPLE_ROWS = 100_000
const DECILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]

/**
 * Indices of at most `limit` rows out of `count`, evenly spread (a fixed stride keeps
 * the profile deterministic and covers the whole file, not its first part).
 */
export function sampleRowIndices(count: number, limit: number = PROFILE_SAMPLE_ROWS): Uint32Array {
  const n = Math.min(count, limit)
  const out = new Uint32Array(n)
  const stride = count / Math.max(n, 1)
  for (let i = 0; i < n; i += 1) out[i] = Math.floor(i * stride)
  return out
}

/** The values of column `feature` at the given rows (row-major `rows`, `width` columns). */
export function columnAt(rows: Float32Array, width: number, feature: number, indices: Uint32Array): Float64Array {
  const out = new Float64Array(indices.length)
  for (let i = 0; i < indices.length; i += 1) out[i] = rows[(indices[i] as number) * width + feature] as number
  return out
}

/**
 * Profiles every column of `rows` (row-major, `width` values a row). `names` label the
 * columns (default `feature_<i>`). Non-finite values are left out of a column's profile.
 */
export function profileFeatures(rows: Float32Array, width: number, names?: readonly string[]): FeatureProfile {
  if (!Number.isInteger(width) || width <= 0) throw new Error(`profileFeatures: width must be a positive integer, got ${width}`)
  if (names && names.length !== width) throw new Error(`profileFeatures: ${names.length} names for ${width} columns`)
  const count = Math.floor(rows.length / width)
  const indices = sampleRowIndices(count)
  const features: FeatureDistribution[] = []
  for (let f = 0; f < width; f += 1) {
    features.push(profileColumn(names?.[f] ?? `feature_${f}`, columnAt(rows, width, f, indices)))
  }
  return { rows: indices.length, features }
}

function profileColumn(name: string, raw: Float64Array): FeatureDistribution {
  const values = raw.filter(Number.isFinite).sort()
  const n = values.length
  if (n === 0) return { name, min: 0, max: 0, mean: 0, zeroShare: 0, constant: true, edges: [], shares: [1] }
  let sum = 0
  let zeros = 0
  for (const v of values) {
    sum += v
    if (v === 0) zeros += 1
  }
  const min = values[0] as number
  const max = values[n - 1] as number
  const edges: number[] = []
  for (const q of DECILES) {
    const edge = values[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))] as number
    // The top value as an edge would leave the last bin empty in training: skip it.
    if (edge < max && edge !== edges[edges.length - 1]) edges.push(edge)
  }
  return { name, min, max, mean: sum / n, zeroShare: zeros / n, constant: min === max, edges, shares: binShares(values, edges) }
}

/** Share of `values` in each bin of `edges` (see FeatureDistribution.edges). */
export function binShares(values: Float64Array, edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0)
  let n = 0
  for (const v of values) {
    if (!Number.isFinite(v)) continue
    const bin = binOf(v, edges)
    counts[bin] = (counts[bin] as number) + 1
    n += 1
  }
  return counts.map((c) => (n === 0 ? 0 : c / n))
}

function binOf(value: number, edges: readonly number[]): number {
  let lo = 0
  let hi = edges.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (value <= (edges[mid] as number)) hi = mid
    else lo = mid + 1
  }
  return lo
}
