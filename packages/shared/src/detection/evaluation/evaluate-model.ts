import { averagePrecision } from '../metrics.ts'

/** How a model does on labelled transactions, at the user's alert budget. */
export interface ModelEvaluation {
  transactions: number
  frauds: number
  /** Share of transactions the budget lets through as alerts (e.g. 0.02). */
  alertBudget: number
  /** Of the top `alertBudget` share by score, how many are fraud. */
  precisionAtBudget: number
  /** Of all frauds, how many are in that top share. */
  recallAtBudget: number
  /** Ranking quality over all transactions; null without any fraud. */
  averagePrecision: number | null
  /** Alerts (score at or above the model's alert threshold) that are not fraud, per 1,000 transactions. */
  falsePositivesPer1000: number
  alerts: number
}

/**
 * Evaluates scores against labels (1 = fraud). Precision and recall at the budget
 * rank by score and take the top share, so two models with differently calibrated
 * scores are compared at the same alert volume; false positives use each model's
 * own alert threshold, which is what analysts would see in their queue.
 */
export function evaluateScores(scores: ArrayLike<number>, labels: ArrayLike<number>, alertThreshold: number, alertBudget: number): ModelEvaluation {
  const n = scores.length
  if (labels.length !== n) throw new Error(`scores (${n}) and labels (${labels.length}) differ`)
  let frauds = 0
  let alerts = 0
  let falseAlerts = 0
  for (let i = 0; i < n; i += 1) {
    const fraud = (labels[i] ?? 0) === 1
    if (fraud) frauds += 1
    if ((scores[i] ?? 0) >= alertThreshold) {
      alerts += 1
      if (!fraud) falseAlerts += 1
    }
  }
  const k = Math.max(1, Math.round(n * alertBudget))
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0))
  let caught = 0
  for (let r = 0; r < Math.min(k, n); r += 1) if ((labels[order[r] as number] ?? 0) === 1) caught += 1
  const ap = frauds > 0 ? averagePrecision(scores, labels) : Number.NaN
  return {
    transactions: n,
    frauds,
    alertBudget,
    precisionAtBudget: n === 0 ? 0 : caught / Math.min(k, n),
    recallAtBudget: frauds === 0 ? 0 : caught / frauds,
    averagePrecision: Number.isNaN(ap) ? null : ap,
    falsePositivesPer1000: n === 0 ? 0 : (falseAlerts / n) * 1000,
    alerts,
  }
}

/** How many transactions an analyst marked false positive alert before and no longer do. */
export interface FalsePositivePatterns {
  /** Transactions labelled false positive. */
  labelled: number
  /** Of those, alerted by the current model. */
  alertedBefore: number
  /** Of those alerted before, now below the candidate's alert threshold. */
  nowBelowThreshold: number
}

export function falsePositivePatterns(
  currentScores: ArrayLike<number>,
  candidateScores: ArrayLike<number>,
  currentThreshold: number,
  candidateThreshold: number,
): FalsePositivePatterns {
  let alertedBefore = 0
  let nowBelow = 0
  for (let i = 0; i < currentScores.length; i += 1) {
    if ((currentScores[i] ?? 0) >= currentThreshold) {
      alertedBefore += 1
      if ((candidateScores[i] ?? 0) < candidateThreshold) nowBelow += 1
    }
  }
  return { labelled: currentScores.length, alertedBefore, nowBelowThreshold: nowBelow }
}

/** The agreed promotion rule: average precision on the time-held-out labels must improve. */
export const PROMOTION_METRIC = 'averagePrecision' as const

export function candidateWins(current: ModelEvaluation, candidate: ModelEvaluation, minGain = 0.001): boolean {
  if (candidate.averagePrecision === null) return false
  if (current.averagePrecision === null) return true
  return candidate.averagePrecision >= current.averagePrecision + minGain
}
