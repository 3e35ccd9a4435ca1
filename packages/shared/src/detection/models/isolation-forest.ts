import { createRandom, type Random } from '../../random.ts'
import type { Tree, TreeEnsemble } from './tree-ensemble.ts'

/**
 * Isolation forest (Liu, Ting, Zhou 2008): needs no labels, so a new account gets
 * useful scores from day one. Each leaf holds its depth plus the expected depth of
 * the points it still holds, so the ensemble's raw output is the sum of path lengths,
 * and the anomaly score is 2^(-mean path / c(sampleSize)).
 */
export interface IsolationForestOptions {
  trees?: number
  sampleSize?: number
  seed?: number
}

export interface IsolationForest {
  ensemble: TreeEnsemble
  /** trees * c(sampleSize): divides the raw output into a normalised path length. */
  normaliser: number
}

/** Average path length of an unsuccessful BST search among n points. */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0
  if (n === 2) return 1
  return 2 * (Math.log(n - 1) + 0.5772156649015329) - (2 * (n - 1)) / n
}

export function isolationScore(forest: IsolationForest, raw: number): number {
  return Math.pow(2, -raw / forest.normaliser)
}

export function trainIsolationForest(rows: Float32Array, width: number, options: IsolationForestOptions = {}): IsolationForest {
  const { trees: treeCount = 100, seed = 1 } = options
  const count = Math.floor(rows.length / width)
  if (count < 2) throw new Error('an isolation forest needs at least 2 rows')
  const sampleSize = Math.min(options.sampleSize ?? 256, count)
  const maxDepth = Math.ceil(Math.log2(sampleSize))
  const random = createRandom(seed)
  const trees: Tree[] = []
  for (let t = 0; t < treeCount; t += 1) {
    const sample = sampleWithoutReplacement(random, count, sampleSize)
    const tree: Tree = { feature: [], threshold: [], left: [], right: [], value: [] }
    grow(tree, rows, width, sample, 0, maxDepth, random)
    trees.push(tree)
  }
  return { ensemble: { trees, base: 0 }, normaliser: treeCount * averagePathLength(sampleSize) }
}

/** Grows the subtree for `indices`; returns its node id. */
function grow(tree: Tree, rows: Float32Array, width: number, indices: number[], depth: number, maxDepth: number, random: Random): number {
  const id = tree.feature.length
  tree.feature.push(-1)
  tree.threshold.push(0)
  tree.left.push(0)
  tree.right.push(0)
  tree.value.push(depth + averagePathLength(indices.length))
  if (depth >= maxDepth || indices.length <= 1) return id

  // Pick among features that still vary here, so no split is wasted.
  const candidates: Array<[number, number, number]> = []
  for (let f = 0; f < width; f += 1) {
    let min = Infinity
    let max = -Infinity
    for (const i of indices) {
      const v = rows[i * width + f] as number
      if (v < min) min = v
      if (v > max) max = v
    }
    if (max > min) candidates.push([f, min, max])
  }
  if (candidates.length === 0) return id
  const [feature, min, max] = random.pick(candidates)
  let threshold = Math.fround(min + random.next() * (max - min))
  // Rounding to float32 can land on max, which would send everything left.
  if (threshold >= max) threshold = min
  const leftRows = indices.filter((i) => (rows[i * width + feature] as number) <= threshold)
  const rightRows = indices.filter((i) => (rows[i * width + feature] as number) > threshold)
  const left = grow(tree, rows, width, leftRows, depth + 1, maxDepth, random)
  const right = grow(tree, rows, width, rightRows, depth + 1, maxDepth, random)
  tree.feature[id] = feature
  tree.threshold[id] = threshold
  tree.left[id] = left
  tree.right[id] = right
  tree.value[id] = ((tree.value[left] as number) * leftRows.length + (tree.value[right] as number) * rightRows.length) / indices.length
  return id
}

function sampleWithoutReplacement(random: Random, n: number, k: number): number[] {
  // Partial Fisher-Yates on a sparse map: O(k) whatever n.
  const swapped = new Map<number, number>()
  const out: number[] = []
  for (let i = 0; i < k; i += 1) {
    const j = random.int(i, n)
    const vi = swapped.get(i) ?? i
    const vj = swapped.get(j) ?? j
    swapped.set(j, vi)
    out.push(vj)
  }
  return out
}
