import { FEATURE_NAMES } from '../features/compute-features.ts'
import { quantile } from '../metrics.ts'
import { scoreFeatureBatch, type AlertBudget, DEFAULT_ALERT_BUDGET } from '../models/anomaly-model.ts'
import { RECOMMENDED_TRAINING, trainAnomalyModel, type TrainResult } from '../models/train-model.ts'

export interface FeedbackTrainingOptions {
  /** 1 = fraud, 0 = genuine, per row in time order (unlabelled rows count as genuine). */
  labels: Uint8Array
  /** 1 where an analyst decided the row (confirmed fraud or false positive). */
  decided: Uint8Array
  /** Last share of rows (by time) kept out of training, for evaluation. */
  holdoutFraction: number
  /**
   * How many times an analyst's decision counts against an unreviewed row. A false
   * positive an analyst looked at is stronger evidence than a row nobody reviewed,
   * and there are few of them: weighting (by repeating the rows) makes the trees
   * carve out the pattern instead of averaging it away (20: see isolationBlend).
   */
  decisionWeight?: number
  /**
   * Weight of the isolation score. None by default: the isolation forest cannot
   * learn from feedback, so any weight keeps a flagged pattern above the threshold.
   * Measured in the demonstration test (apps/server/test/feedback-loop.test.ts),
   * next week's alerts on the noisy merchants: 17 before, 11 with weight 10 and
   * blend 0.05, 9 with weight 20 and blend 0, frauds caught 13 -> 13 and 12 of 31.
   */
  isolationBlend?: number
  alertBudget?: AlertBudget
}

export interface FeedbackTrainResult extends TrainResult {
  /** Index of the first held-out row. */
  split: number
}

export const FEEDBACK_TRAINING = { decisionWeight: 20, isolationBlend: 0 } as const

/**
 * Trains a model from a user's own transactions and analyst decisions: the rows
 * before the time split (decided rows weighted), thresholds from the alert budget
 * on those same rows, unweighted, so that the alert volume matches what ingestion
 * will see. The held-out rows are untouched for evaluating against the current model.
 */
export function trainWithFeedback(rows: Float32Array, options: FeedbackTrainingOptions): FeedbackTrainResult {
  const width = FEATURE_NAMES.length
  const count = Math.floor(rows.length / width)
  const { labels, decided, decisionWeight = FEEDBACK_TRAINING.decisionWeight, alertBudget = DEFAULT_ALERT_BUDGET } = options
  const split = Math.floor(count * (1 - options.holdoutFraction))
  const picked: number[] = []
  for (let i = 0; i < split; i += 1) if (decided[i] === 1) picked.push(i)
  const extra = picked.length * Math.max(0, decisionWeight - 1)
  const trainRows = new Float32Array((split + extra) * width)
  trainRows.set(rows.subarray(0, split * width))
  const trainLabels = new Uint8Array(split + extra)
  trainLabels.set(labels.subarray(0, split))
  let at = split
  for (let k = 1; k < decisionWeight; k += 1) {
    for (const i of picked) {
      trainRows.set(rows.subarray(i * width, (i + 1) * width), at * width)
      trainLabels[at] = labels[i] ?? 0
      at += 1
    }
  }
  const result = trainAnomalyModel(trainRows, {
    ...RECOMMENDED_TRAINING,
    isolationBlend: options.isolationBlend ?? FEEDBACK_TRAINING.isolationBlend,
    labels: trainLabels,
    holdoutFraction: 0,
    alertBudget,
  })
  const scores = scoreFeatureBatch(result.model, rows.subarray(0, split * width))
  result.model.thresholds = {
    medium: quantile(scores, 1 - alertBudget.medium),
    high: quantile(scores, 1 - alertBudget.high),
    critical: quantile(scores, 1 - alertBudget.critical),
  }
  const rate = (t: number): number => scores.reduce((n, s) => n + (s >= t ? 1 : 0), 0) / Math.max(scores.length, 1)
  const t = result.model.thresholds
  return {
    model: result.model,
    split,
    metrics: {
      ...result.metrics,
      rows: count,
      frauds: labels.reduce((a, b) => a + b, 0),
      holdoutRows: count - split,
      alertRate: { medium: rate(t.medium), high: rate(t.high), critical: rate(t.critical) },
    },
  }
}
