import { createRandom } from '../../random.ts'
import { aucRoc, averagePrecision } from '../metrics.ts'
import { DEFAULT_ALERT_BUDGET, type AlertBudget, type SeverityThresholds } from '../models/anomaly-model.ts'
import { sigmoid, trainGradientBoosting, type GradientBoostingOptions } from '../models/gradient-boosting.ts'
import { isolationScore, trainIsolationForest, type IsolationForestOptions } from '../models/isolation-forest.ts'
import { predictRawBatch } from '../models/tree-ensemble.ts'
import { isolationColumns, selectColumns, type FileFeatureMatrix } from './file-features.ts'

/**
 * Models fitted on the file being scored, for files unlike any model's training data
 * (see file-domain.ts): an isolation forest needs no labels; a file with its own label
 * column trains boosted trees on part of it and is measured on the rest. Pure and
 * deterministic (seeded).
 */
export interface FileMatrix {
  rows: Float32Array
  width: number
}

export interface FileScores {
  /** One per row, 0..1, higher is more suspicious. */
  scores: Float64Array
  /** Cut-offs that put the alert budget's share of this file's rows at each severity. */
  severityThresholds: SeverityThresholds
}

export interface FileEvaluation {
  /** On the held-out rows; null when they hold only one class. */
  aucRoc: number | null
  averagePrecision: number | null
  holdoutRows: number
  holdoutFrauds: number
  /** 'time': the latest rows were held out; 'random': a seeded random share. */
  split: 'time' | 'random'
}

export interface LabelledFileScores extends FileScores {
  evaluation: FileEvaluation
}

/** Fewer frauds than this to learn from, and the trees would learn the rows by heart. */
export const MIN_FILE_FRAUDS = 10
/** Tree settings the handbook benchmark chose (train-model.ts's RECOMMENDED_TRAINING). */
const BOOSTING: GradientBoostingOptions = { rounds: 100, maxDepth: 3, learningRate: 0.1, minChildWeight: 5, subsample: 0.8, seed: 1 }
const ISOLATION: IsolationForestOptions = { trees: 100, sampleSize: 256, seed: 1 }

function rowCount(matrix: FileMatrix): number {
  if (!Number.isInteger(matrix.width) || matrix.width <= 0) throw new Error(`the file's feature matrix has an invalid width ${matrix.width}`)
  return Math.floor(matrix.rows.length / matrix.width)
}

/**
 * Score cut-offs from an alert budget: the top `budget.high` share of `scores` is HIGH
 * or worse, and so on, so a file comes back with its budget of alerts, not 99% HIGH.
 */
export function thresholdsFromBudget(scores: ArrayLike<number>, budget: AlertBudget = DEFAULT_ALERT_BUDGET): SeverityThresholds {
  const sorted = Float64Array.from(scores).sort()
  const n = sorted.length
  if (n === 0) return { medium: 1, high: 1, critical: 1 }
  const at = (share: number): number => {
    const k = Math.max(1, Math.ceil(share * n))
    const cut = sorted[Math.max(0, n - k)] as number
    // Tied scores at the cut (trees give many) would put far more rows over it than
    // the budget: the cut moves up to the next distinct score, fewer alerts rather than more.
    const firstAtCut = lowerBound(sorted, cut)
    if (n - firstAtCut <= k * 1.5) return cut
    const above = upperBound(sorted, cut)
    return above < n ? (sorted[above] as number) : cut
  }
  return { medium: at(budget.medium), high: at(budget.high), critical: at(budget.critical) }
}

function lowerBound(sorted: Float64Array, value: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if ((sorted[mid] as number) < value) lo = mid + 1
    else hi = mid
  }
  return lo
}

function upperBound(sorted: Float64Array, value: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if ((sorted[mid] as number) <= value) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** An isolation forest fitted on the file itself: every row's score, no labels needed. */
export function fitFileIsolationForest(
  matrix: FileMatrix,
  options: { isolation?: IsolationForestOptions; alertBudget?: AlertBudget; logScale?: boolean } = {},
): FileScores {
  const count = rowCount(matrix)
  if (count < 2) throw new Error('scoring with a forest fitted on the file needs at least 2 rows')
  // On by default: on PaySim it lifted the forest on amount + balance/type columns from
  // AUC 0.80 to 0.89 (bench:paysim), though the engine's features alone did better
  // without it (0.78 against 0.70): those are counts and ratios, not money.
  const rows = options.logScale === false ? matrix.rows : compressed(matrix.rows)
  const forest = trainIsolationForest(rows, matrix.width, { ...ISOLATION, ...options.isolation })
  const raw = predictRawBatch(forest.ensemble, rows, matrix.width)
  const scores = new Float64Array(count)
  for (let i = 0; i < count; i += 1) scores[i] = isolationScore(forest, raw[i] as number)
  return { scores, severityThresholds: thresholdsFromBudget(scores, options.alertBudget) }
}

/**
 * The forest this product recommends for a file without labels: on the amount and the
 * balance/type columns, log-scaled, when the file has them (PaySim AUC 0.89); on the
 * engine's features as they are otherwise (0.78 there).
 */
export function scoreFileWithoutLabels(file: FileFeatureMatrix, options: { alertBudget?: AlertBudget } = {}): FileScores {
  const withColumns = file.extraNames.length > 0
  return fitFileIsolationForest(selectColumns(file, isolationColumns(file)), { ...options, logScale: withColumns })
}

/**
 * sign(x) * ln(1 + |x|) of every value. The forest cuts at uniform random points
 * between a column's min and max: on money (heavy-tailed, a few balances in the
 * millions) nearly every cut lands above all but the largest rows, so only size is
 * isolated. On the log scale cuts fall where the rows are.
 */
function compressed(rows: Float32Array): Float32Array {
  const out = new Float32Array(rows.length)
  for (let i = 0; i < rows.length; i += 1) {
    const v = rows[i] as number
    out[i] = Math.sign(v) * Math.log1p(Math.abs(v))
  }
  return out
}

export interface FileLabelOptions {
  /**
   * Per row, when it happened (epoch ms or any increasing number): the latest
   * `holdoutFraction` of rows are held out, as new data would arrive. Without it a
   * seeded random share is held out.
   */
  order?: ArrayLike<number>
  holdoutFraction?: number
  seed?: number
  boosting?: GradientBoostingOptions
  alertBudget?: AlertBudget
}

/**
 * Boosted trees trained on the file's own labels (1 fraud, 0 genuine), measured on a
 * holdout the trees never saw. Every row gets a score (training rows' scores are
 * optimistic: the evaluation says how good the ranking is).
 */
export function trainOnFileLabels(matrix: FileMatrix, labels: ArrayLike<number>, options: FileLabelOptions = {}): LabelledFileScores {
  const count = rowCount(matrix)
  if (labels.length !== count) throw new Error(`the file has ${count} rows but ${labels.length} labels`)
  if (options.order && options.order.length !== count) throw new Error(`the file has ${count} rows but ${options.order.length} times`)
  const holdoutFraction = options.holdoutFraction ?? 0.2
  if (!(holdoutFraction > 0 && holdoutFraction < 1)) throw new Error(`holdoutFraction must be between 0 and 1, got ${holdoutFraction}`)
  const { train, holdout } = splitRows(count, holdoutFraction, options.order, options.seed ?? 1)
  const trainLabels = Uint8Array.from(train, (i) => (labels[i] ? 1 : 0))
  const trainFrauds = trainLabels.reduce((a, b) => a + b, 0)
  if (trainFrauds < MIN_FILE_FRAUDS) {
    throw new Error(
      `the label column marks ${trainFrauds} frauds among the ${train.length} training rows; at least ${MIN_FILE_FRAUDS} are needed to learn from`,
    )
  }
  if (trainFrauds === train.length) throw new Error('the label column marks every training row as fraud; genuine rows are needed too')
  const trainRows = new Float32Array(train.length * matrix.width)
  train.forEach((row, i) => trainRows.set(matrix.rows.subarray(row * matrix.width, (row + 1) * matrix.width), i * matrix.width))
  const ensemble = trainGradientBoosting(trainRows, matrix.width, trainLabels, { ...BOOSTING, ...options.boosting })
  const raw = predictRawBatch(ensemble, matrix.rows, matrix.width)
  const scores = Float64Array.from(raw, sigmoid)
  const holdoutScores = Float64Array.from(holdout, (i) => scores[i] as number)
  const holdoutLabels = Uint8Array.from(holdout, (i) => (labels[i] ? 1 : 0))
  const auc = aucRoc(holdoutScores, holdoutLabels)
  const ap = averagePrecision(holdoutScores, holdoutLabels)
  return {
    scores,
    severityThresholds: thresholdsFromBudget(scores, options.alertBudget),
    evaluation: {
      aucRoc: Number.isNaN(auc) ? null : auc,
      averagePrecision: Number.isNaN(ap) ? null : ap,
      holdoutRows: holdout.length,
      holdoutFrauds: holdoutLabels.reduce((a, b) => a + b, 0),
      split: options.order ? 'time' : 'random',
    },
  }
}

/** Row indices to train on and to hold out: the latest rows by `order`, else a seeded random share. */
export function splitRows(count: number, holdoutFraction: number, order: ArrayLike<number> | undefined, seed: number): { train: number[]; holdout: number[] } {
  const holdoutCount = Math.max(1, Math.round(count * holdoutFraction))
  const indices = Array.from({ length: count }, (_, i) => i)
  if (order) {
    // Stable: rows at the same time keep file order.
    indices.sort((a, b) => (order[a] as number) - (order[b] as number) || a - b)
  } else {
    const random = createRandom(seed)
    for (let i = count - 1; i > 0; i -= 1) {
      const j = random.int(0, i + 1)
      const t = indices[i] as number
      indices[i] = indices[j] as number
      indices[j] = t
    }
  }
  const cut = count - holdoutCount
  return { train: indices.slice(0, cut).sort((a, b) => a - b), holdout: indices.slice(cut).sort((a, b) => a - b) }
}
