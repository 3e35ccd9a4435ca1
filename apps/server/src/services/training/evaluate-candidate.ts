import {
  candidateWins,
  evaluateScores,
  falsePositivePatterns,
  PROMOTION_METRIC,
  scoreFeatureBatch,
  type AnomalyModel,
  type FalsePositivePatterns,
  type ModelEvaluation,
} from '@anomalyze/shared/engine'
import type { AlertVolume } from './alert-volume.ts'
import type { Decision } from './decision.ts'
import { compareModels, type ModelFigures } from './model-comparison.ts'

export interface EvaluationReport {
  promotionMetric: string
  holdout: { from: string | null; to: string | null; transactions: number; confirmedFrauds: number; falsePositives: number }
  current: ModelEvaluation & ModelFigures
  candidate: ModelEvaluation & ModelFigures
  /** k of card precision@k: min(100, held-out transactions). */
  cardPrecisionK: number
  /** Alerts a day each model would raise on the holdout, against the organisation's budget. */
  alertVolume: AlertVolume
  /** Transactions analysts marked false positive: alerted by the current model, and below the candidate's threshold. */
  falsePositivePatterns: { holdout: FalsePositivePatterns; all: FalsePositivePatterns }
  candidateWins: boolean
}

interface Side {
  version: string
  model: AnomalyModel
}

/** The evaluated rows in time order, as training saw them. */
export interface EvaluationRows {
  rows: Float32Array
  decisions: readonly Decision[]
  timestamps: ArrayLike<number>
  /** The card of card precision@k. */
  accountIds: readonly string[]
}

/**
 * New against current on the held-out (latest) rows, with the analysts' decisions
 * as truth: confirmed fraud = 1, everything else 0 (as in training). Both models
 * score the same feature rows; each uses its own alert threshold for false positives
 * and alert volume. `budgetPerDay` is the organisation's alert budget.
 */
export function evaluateCandidate(
  { rows, decisions, timestamps, accountIds }: EvaluationRows,
  split: number,
  current: Side,
  candidate: Side,
  budgetPerDay: number,
): EvaluationReport {
  const count = decisions.length
  const labels = Uint8Array.from(decisions, (d) => (d === 'CONFIRMED_FRAUD' ? 1 : 0))
  const currentScores = scoreFeatureBatch(current.model, rows)
  const candidateScores = scoreFeatureBatch(candidate.model, rows)
  const budget = candidate.model.alertBudget.medium
  const hold = (a: Float64Array | Uint8Array) => a.subarray(split, count)
  const currentEval = evaluateScores(hold(currentScores), hold(labels), current.model.thresholds.medium, budget)
  const candidateEval = evaluateScores(hold(candidateScores), hold(labels), candidate.model.thresholds.medium, budget)
  const comparison = compareModels(
    { labels: hold(labels), timestamps: Array.from(timestamps).slice(split, count), accountIds: accountIds.slice(split, count) },
    { version: current.version, scores: hold(currentScores), threshold: current.model.thresholds.medium },
    { version: candidate.version, scores: hold(candidateScores), threshold: candidate.model.thresholds.medium },
    budgetPerDay,
  )

  const fpIndexes = (from: number) => decisions.flatMap((d, i) => (i >= from && d === 'FALSE_POSITIVE' ? [i] : []))
  const patterns = (indexes: number[]) =>
    falsePositivePatterns(
      indexes.map((i) => currentScores[i] ?? 0),
      indexes.map((i) => candidateScores[i] ?? 0),
      current.model.thresholds.medium,
      candidate.model.thresholds.medium,
    )
  return {
    promotionMetric: `${PROMOTION_METRIC} on the held-out latest ${count - split} transactions`,
    holdout: {
      from: split < count ? new Date(timestamps[split] ?? 0).toISOString() : null,
      to: count > 0 ? new Date(timestamps[count - 1] ?? 0).toISOString() : null,
      transactions: count - split,
      confirmedFrauds: currentEval.frauds,
      falsePositives: fpIndexes(split).length,
    },
    current: { ...currentEval, ...comparison.current },
    candidate: { ...candidateEval, ...comparison.candidate },
    cardPrecisionK: comparison.cardPrecisionK,
    alertVolume: comparison.alertVolume,
    falsePositivePatterns: { holdout: patterns(fpIndexes(split)), all: patterns(fpIndexes(0)) },
    candidateWins: candidateWins(currentEval, candidateEval),
  }
}
