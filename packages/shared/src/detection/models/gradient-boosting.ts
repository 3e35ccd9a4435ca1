import { createRandom } from '../../random.ts'
import { binRows, type FeatureBins } from './binning.ts'
import type { Tree, TreeEnsemble } from './tree-ensemble.ts'

/**
 * Gradient-boosted trees for binary labels (logistic loss, second-order splits as in
 * XGBoost/LightGBM), grown depth-wise on histogram bins. The raw output is the
 * log-odds of fraud; sigmoid(raw) is the probability.
 */
export interface GradientBoostingOptions {
  rounds?: number
  learningRate?: number
  maxDepth?: number
  /** Minimum sum of hessians in a child (XGBoost's min_child_weight). */
  minChildWeight?: number
  /** L2 penalty on leaf values. */
  lambda?: number
  /** Share of rows used per tree (deterministic, seeded). */
  subsample?: number
  seed?: number
}

const BINS = 256
const NO_HISTOGRAM = new Float64Array(0)

interface NodeWork {
  id: number
  start: number
  end: number
  depth: number
  hist: Float64Array
  g: number
  h: number
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x))
}

export function trainGradientBoosting(rows: Float32Array, width: number, labels: Uint8Array, options: GradientBoostingOptions = {}): TreeEnsemble {
  const { rounds = 150, learningRate = 0.1, maxDepth = 6, minChildWeight = 1, lambda = 1, subsample = 1, seed = 1 } = options
  const binned = binRows(rows, width)
  const n = binned.rows
  if (n !== labels.length) throw new Error(`labels (${labels.length}) and rows (${n}) differ`)
  let positives = 0
  for (const y of labels) positives += y
  if (positives === 0 || positives === n) throw new Error('supervised training needs both fraud and genuine labels')
  const base = Math.log(positives / (n - positives))
  const margin = new Float64Array(n).fill(base)
  const grad = new Float64Array(n)
  const hess = new Float64Array(n)
  const order = new Uint32Array(n)
  const inSample = new Uint8Array(n)
  const random = createRandom(seed)
  const trees: Tree[] = []

  for (let round = 0; round < rounds; round += 1) {
    let m = 0
    for (let i = 0; i < n; i += 1) {
      const p = sigmoid(margin[i] as number)
      grad[i] = p - (labels[i] as number)
      hess[i] = Math.max(p * (1 - p), 1e-12)
      const sampled = subsample >= 1 || random.next() < subsample
      inSample[i] = sampled ? 1 : 0
      if (sampled) order[m++] = i
    }
    const { tree, splitBins, leaves } = growTree(binned, width, grad, hess, order, m, { maxDepth, minChildWeight, lambda, learningRate })
    trees.push(tree)
    // Sampled rows were partitioned into their leaves while growing: no need to walk
    // the tree again for them; the others walk it on their bins.
    for (const leaf of leaves) {
      const v = tree.value[leaf.id] as number
      for (let k = leaf.start; k < leaf.end; k += 1) {
        const i = order[k] as number
        margin[i] = (margin[i] as number) + v
      }
    }
    for (let i = 0; i < n; i += 1) {
      if (inSample[i] === 0) margin[i] = (margin[i] as number) + leafValueByBins(tree, splitBins, binned, width, i)
    }
  }
  return { trees, base }
}

interface GrowOptions {
  maxDepth: number
  minChildWeight: number
  lambda: number
  learningRate: number
}

function growTree(
  binned: FeatureBins,
  width: number,
  grad: Float64Array,
  hess: Float64Array,
  order: Uint32Array,
  m: number,
  o: GrowOptions,
): { tree: Tree; splitBins: number[]; leaves: { id: number; start: number; end: number }[] } {
  const tree: Tree = { feature: [], threshold: [], left: [], right: [], value: [] }
  const splitBins: number[] = []
  const leaves: { id: number; start: number; end: number }[] = []
  const addNode = (g: number, h: number): number => {
    tree.feature.push(-1)
    tree.threshold.push(0)
    tree.left.push(0)
    tree.right.push(0)
    tree.value.push((-g / (h + o.lambda)) * o.learningRate)
    splitBins.push(0)
    return tree.feature.length - 1
  }
  const rootHist = buildHistogram(binned, width, grad, hess, order, 0, m)
  let g0 = 0
  let h0 = 0
  for (let k = 0; k < m; k += 1) {
    g0 += grad[order[k] as number] as number
    h0 += hess[order[k] as number] as number
  }
  const stack: NodeWork[] = [{ id: addNode(g0, h0), start: 0, end: m, depth: 0, hist: rootHist, g: g0, h: h0 }]
  while (stack.length > 0) {
    const node = stack.pop() as NodeWork
    const split = node.depth >= o.maxDepth ? undefined : bestSplit(binned, width, node, o)
    if (!split) {
      leaves.push({ id: node.id, start: node.start, end: node.end })
      continue
    }
    const { feature, bin } = split
    // Partition this node's rows: bin <= split bin first.
    let i = node.start
    let j = node.end - 1
    while (i <= j) {
      if ((binned.bins[(order[i] as number) * width + feature] as number) <= bin) i += 1
      else {
        const t = order[i] as number
        order[i] = order[j] as number
        order[j] = t
        j -= 1
      }
    }
    const mid = i
    let leftHist: Float64Array = NO_HISTOGRAM
    let rightHist: Float64Array = NO_HISTOGRAM
    // Children at the depth limit become leaves: they need no histogram (that was a
    // quarter of all histogram work at depth 3).
    if (node.depth + 1 < o.maxDepth) {
      const leftSmaller = mid - node.start <= node.end - mid
      const small = leftSmaller
        ? buildHistogram(binned, width, grad, hess, order, node.start, mid)
        : buildHistogram(binned, width, grad, hess, order, mid, node.end)
      const large = node.hist // reuse the parent's buffer: parent - small
      for (let k = 0; k < large.length; k += 1) large[k] = (large[k] as number) - (small[k] as number)
      leftHist = leftSmaller ? small : large
      rightHist = leftSmaller ? large : small
    }
    const left = addNode(split.gl, split.hl)
    const right = addNode(node.g - split.gl, node.h - split.hl)
    tree.feature[node.id] = feature
    tree.threshold[node.id] = binned.edges[feature]?.[bin] as number
    tree.left[node.id] = left
    tree.right[node.id] = right
    splitBins[node.id] = bin
    stack.push({ id: right, start: mid, end: node.end, depth: node.depth + 1, hist: rightHist, g: node.g - split.gl, h: node.h - split.hl })
    stack.push({ id: left, start: node.start, end: mid, depth: node.depth + 1, hist: leftHist, g: split.gl, h: split.hl })
  }
  return { tree, splitBins, leaves }
}

function buildHistogram(
  binned: FeatureBins,
  width: number,
  grad: Float64Array,
  hess: Float64Array,
  order: Uint32Array,
  start: number,
  end: number,
): Float64Array {
  const hist = new Float64Array(width * BINS * 2)
  const { bins } = binned
  for (let k = start; k < end; k += 1) {
    const r = order[k] as number
    const g = grad[r] as number
    const h = hess[r] as number
    const base = r * width
    for (let f = 0; f < width; f += 1) {
      const slot = (f * BINS + (bins[base + f] as number)) * 2
      hist[slot] = (hist[slot] as number) + g
      hist[slot + 1] = (hist[slot + 1] as number) + h
    }
  }
  return hist
}

function bestSplit(binned: FeatureBins, width: number, node: NodeWork, o: GrowOptions): { feature: number; bin: number; gl: number; hl: number } | undefined {
  const parentScore = (node.g * node.g) / (node.h + o.lambda)
  let best: { feature: number; bin: number; gl: number; hl: number } | undefined
  let bestGain = 1e-9
  for (let f = 0; f < width; f += 1) {
    const edges = binned.edges[f]?.length ?? 0
    let gl = 0
    let hl = 0
    for (let b = 0; b < edges; b += 1) {
      const slot = (f * BINS + b) * 2
      gl += node.hist[slot] as number
      hl += node.hist[slot + 1] as number
      const hr = node.h - hl
      if (hl < o.minChildWeight) continue
      if (hr < o.minChildWeight) break
      const gr = node.g - gl
      const gain = (gl * gl) / (hl + o.lambda) + (gr * gr) / (hr + o.lambda) - parentScore
      if (gain > bestGain) {
        bestGain = gain
        best = { feature: f, bin: b, gl, hl }
      }
    }
  }
  return best
}

function leafValueByBins(tree: Tree, splitBins: number[], binned: FeatureBins, width: number, row: number): number {
  let node = 0
  for (;;) {
    const f = tree.feature[node] as number
    if (f < 0) return tree.value[node] as number
    node = (binned.bins[row * width + f] as number) <= (splitBins[node] as number) ? (tree.left[node] as number) : (tree.right[node] as number)
  }
}
