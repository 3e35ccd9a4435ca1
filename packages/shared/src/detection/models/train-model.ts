import { DEFAULT_FEATURE_CONFIG, FEATURE_NAMES, type FeatureConfig } from '../features/compute-features.ts'
import { aucRoc, averagePrecision, quantile } from '../metrics.ts'
import { DEFAULT_ALERT_BUDGET, MODEL_FORMAT_VERSION, scoreFeatureBatch, type AlertBudget, type AnomalyModel, type IsolationBlendRule } from './anomaly-model.ts'
import { trainGradientBoosting, type GradientBoostingOptions } from './gradient-boosting.ts'
import { trainIsolationForest, type IsolationForestOptions } from './isolation-forest.ts'

export interface TrainOptions {
  /** 1 = fraud, 0 = genuine, aligned with rows. Without labels only the forest is trained. */
  labels?: Uint8Array
  isolation?: IsolationForestOptions
  boosting?: GradientBoostingOptions
  /** Weight of the isolation score when blending with the supervised probability. */
  isolationBlend?: number
  /** How that weight is applied (default 'raise', see IsolationBlendRule). */
  isolationBlendRule?: IsolationBlendRule
  alertBudget?: AlertBudget
  featureConfig?: FeatureConfig
  /**
   * With labels, the last share of rows (rows are expected in time order) is held out
   * to measure the model honestly; the model is trained on the rest.
   */
  holdoutFraction?: number
}

export interface TrainMetrics {
  rows: number
  frauds: number | null
  holdoutRows: number
  holdoutAucRoc: number | null
  holdoutAveragePrecision: number | null
  /** Share of all rows at or above each severity with the chosen thresholds. */
  alertRate: AlertBudget
}

export interface TrainResult {
  model: AnomalyModel
  metrics: TrainMetrics
}

const MIN_FRAUDS_FOR_SUPERVISED = 5

/**
 * Settings chosen by the mean and the worst of the rolling test weeks of the handbook
 * benchmark (bench:quality, docs/benchmarks.md), not by one week. Shallow, slow-learning
 * trees (100 rounds, depth 3, rate 0.1): depth 2/4, more or fewer rounds, lambda,
 * subsampling and min child weight moved the means by no more than seed noise. The
 * isolation score 'raise's the trees' probability by at most 10% of what is left
 * (p + 0.1 iso (1 - p)): it orders the rows the trees find equally unlikely (AUC
 * +0.009 over the trees alone) without reordering the confident frauds, where the old
 * 20% weighted mean cost 0.027 average precision (0.062 in the worst week). 512-row
 * samples make the isolation forest alone better on every seed tried (AP 0.278-0.304
 * vs 0.218-0.277 with 256) at the same number of trees.
 */
export const RECOMMENDED_TRAINING: Required<Pick<TrainOptions, 'isolation' | 'boosting' | 'isolationBlend' | 'isolationBlendRule'>> = {
  isolation: { trees: 50, sampleSize: 512, seed: 1 },
  boosting: { rounds: 100, maxDepth: 3, learningRate: 0.1, minChildWeight: 5, subsample: 0.8, seed: 1 },
  isolationBlend: 0.1,
  isolationBlendRule: 'raise',
}

export function trainAnomalyModel(rows: Float32Array, options: TrainOptions = {}): TrainResult {
  const width = FEATURE_NAMES.length
  const count = Math.floor(rows.length / width)
  const { labels, isolationBlend = 0, isolationBlendRule = 'raise', alertBudget = DEFAULT_ALERT_BUDGET } = options
  if (labels && labels.length !== count) throw new Error(`labels (${labels.length}) and rows (${count}) differ`)
  const isolation = trainIsolationForest(rows, width, options.isolation)

  let frauds: number | null = null
  let supervised = null
  let holdoutRows = 0
  let holdoutAuc: number | null = null
  let holdoutAp: number | null = null
  if (labels) {
    frauds = labels.reduce((a, b) => a + b, 0)
    const split = Math.floor(count * (1 - (options.holdoutFraction ?? 0.2)))
    const trainLabels = labels.subarray(0, split)
    const trainFrauds = trainLabels.reduce((a, b) => a + b, 0)
    // Too few frauds to learn from: stay unsupervised rather than overfit five rows.
    if (trainFrauds >= MIN_FRAUDS_FOR_SUPERVISED && trainFrauds < split) {
      supervised = trainGradientBoosting(rows.subarray(0, split * width), width, trainLabels, options.boosting)
    }
    holdoutRows = count - split
  }

  const model: AnomalyModel = {
    formatVersion: MODEL_FORMAT_VERSION,
    featureNames: [...FEATURE_NAMES],
    featureConfig: options.featureConfig ?? DEFAULT_FEATURE_CONFIG,
    isolation,
    supervised,
    isolationBlend: supervised ? isolationBlend : 0,
    isolationBlendRule,
    thresholds: { medium: 1, high: 1, critical: 1 },
    alertBudget,
  }
  const scores = scoreFeatureBatch(model, rows)
  model.thresholds = {
    medium: quantile(scores, 1 - alertBudget.medium),
    high: quantile(scores, 1 - alertBudget.high),
    critical: quantile(scores, 1 - alertBudget.critical),
  }
  if (labels && holdoutRows > 0) {
    const holdoutScores = scores.subarray(count - holdoutRows)
    const holdoutLabels = labels.subarray(count - holdoutRows)
    const auc = aucRoc(holdoutScores, holdoutLabels)
    holdoutAuc = Number.isNaN(auc) ? null : auc
    const ap = averagePrecision(holdoutScores, holdoutLabels)
    holdoutAp = Number.isNaN(ap) ? null : ap
  }
  const rate = (t: number): number => scores.reduce((n, s) => n + (s >= t ? 1 : 0), 0) / Math.max(count, 1)
  return {
    model,
    metrics: {
      rows: count,
      frauds,
      holdoutRows,
      holdoutAucRoc: holdoutAuc,
      holdoutAveragePrecision: holdoutAp,
      alertRate: { medium: rate(model.thresholds.medium), high: rate(model.thresholds.high), critical: rate(model.thresholds.critical) },
    },
  }
}
