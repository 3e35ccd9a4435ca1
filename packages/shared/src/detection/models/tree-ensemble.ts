/**
 * A tree ensemble in the flat form both of our trainers produce and ONNX's
 * TreeEnsembleRegressor consumes: node i tests `x[feature[i]] <= threshold[i]` and
 * goes to `left[i]` when true, `right[i]` otherwise; leaves have feature -1.
 * Thresholds are float32 values because ONNX Runtime compares in float32: keeping
 * them so here makes this reference scorer agree with ONNX bit for bit on decisions.
 */
export interface Tree {
  feature: number[]
  threshold: number[]
  left: number[]
  right: number[]
  /**
   * Leaf: the output. Internal node: the output expected at that node over training
   * data, which lets explanations attribute each split (Saabas contributions).
   */
  value: number[]
}

export interface TreeEnsemble {
  trees: Tree[]
  /** Added to the sum of leaf outputs. */
  base: number
}

function leafOf(tree: Tree, row: ArrayLike<number>, offset: number): number {
  let node = 0
  for (;;) {
    const f = tree.feature[node] as number
    if (f < 0) return node
    node = (row[offset + f] as number) <= (tree.threshold[node] as number) ? (tree.left[node] as number) : (tree.right[node] as number)
  }
}

/** Raw output (base + sum of leaves) for the row starting at `offset` in `rows`. */
export function predictRaw(ensemble: TreeEnsemble, rows: ArrayLike<number>, offset = 0): number {
  let sum = ensemble.base
  for (const tree of ensemble.trees) sum += tree.value[leafOf(tree, rows, offset)] as number
  return sum
}

/**
 * Raw outputs for `count` rows of `width` features stored row-major: the same sums as
 * predictRaw (same order, so bit-identical), with every tree flattened into typed
 * arrays first, which makes the per-row walk several times faster (training scores
 * every row for its thresholds, the server scores a user's history).
 */
export function predictRawBatch(ensemble: TreeEnsemble, rows: Float32Array, width: number): Float64Array {
  const count = Math.floor(rows.length / width)
  const out = new Float64Array(count)
  const total = nodeCount(ensemble)
  const feature = new Int32Array(total)
  const threshold = new Float64Array(total)
  const left = new Int32Array(total)
  const right = new Int32Array(total)
  const value = new Float64Array(total)
  const roots = new Int32Array(ensemble.trees.length)
  let at = 0
  ensemble.trees.forEach((tree, t) => {
    roots[t] = at
    for (let i = 0; i < tree.feature.length; i += 1) {
      feature[at + i] = tree.feature[i] as number
      threshold[at + i] = tree.threshold[i] as number
      left[at + i] = at + (tree.left[i] as number)
      right[at + i] = at + (tree.right[i] as number)
      value[at + i] = tree.value[i] as number
    }
    at += tree.feature.length
  })
  // Blocks of rows, trees outer: a tree's nodes stay in the L1 cache while the block's
  // rows go through it. Each row still adds its trees in order (bit-identical sums).
  const trees = roots.length
  out.fill(ensemble.base)
  for (let start = 0; start < count; start += BLOCK_ROWS) {
    const end = Math.min(count, start + BLOCK_ROWS)
    for (let t = 0; t < trees; t += 1) {
      const root = roots[t] as number
      for (let r = start; r < end; r += 1) {
        const offset = r * width
        let node = root
        let f = feature[node] as number
        while (f >= 0) {
          node = (rows[offset + f] as number) <= (threshold[node] as number) ? (left[node] as number) : (right[node] as number)
          f = feature[node] as number
        }
        out[r] = (out[r] as number) + (value[node] as number)
      }
    }
  }
  return out
}

const BLOCK_ROWS = 256

/**
 * Per-feature contributions to the raw output of one row: along the path, each
 * split moves the expected output from the parent's value to the child's, and that
 * move is credited to the split feature. They sum to raw output minus the ensemble's
 * expected output.
 */
export function pathContributions(ensemble: TreeEnsemble, row: ArrayLike<number>, width: number): Float64Array {
  const out = new Float64Array(width)
  for (const tree of ensemble.trees) {
    let node = 0
    for (;;) {
      const f = tree.feature[node] as number
      if (f < 0) break
      const next = (row[f] as number) <= (tree.threshold[node] as number) ? (tree.left[node] as number) : (tree.right[node] as number)
      out[f] = (out[f] as number) + (tree.value[next] as number) - (tree.value[node] as number)
      node = next
    }
  }
  return out
}

export function nodeCount(ensemble: TreeEnsemble): number {
  return ensemble.trees.reduce((n, t) => n + t.feature.length, 0)
}
