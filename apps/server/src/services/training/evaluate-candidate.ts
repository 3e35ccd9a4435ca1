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
import type { Decision } from './load-training-set.ts'

export interface EvaluationReport {
  promotionMetric: string
  holdout: { from: string | null; to: string | null; transactions: number; confirmedFrauds: number; falsePositives: number }
  current: ModelEvaluation & { version: string }
  candidate: ModelEvaluation & { version: string }
  /** Transactions analysts marked false positive: alerted by the current model, and below the candidate's threshold. */
  falsePositivePatterns: { holdout: FalsePositivePatterns; all: FalsePositivePatterns }
  candidateWins: boolean
}

interface Side {
  version: string
  model: AnomalyModel
}

/**
 * New against current on the held-out (latest) rows, with the analysts' decisions
 * as truth: confirmed fraud = 1, everything else 0 (as in training). Both models
 * score the same feature rows; each uses its own alert threshold for false positives.
 */
export function evaluateCandidate(
  rows: Float32Array,
  decisions: Decision[],
  timestamps: number[],
  split: number,
  current: Side,
  candidate: Side,
): EvaluationReport {
  const count = decisions.length
  const labels = Uint8Array.from(decisions, (d) => (d === 'CONFIRMED_FRAUD' ? 1 : 0))
  const currentScores = scoreFeatureBatch(current.model, rows)
  const candidateScores = scoreFeatureBatch(candidate.model, rows)
  const budget = candidate.model.alertBudget.medium
  const hold = (a: Float64Array | Uint8Array) => a.subarray(split, count)
  const currentEval = evaluateScores(hold(currentScores), hold(labels), current.model.thresholds.medium, budget)
  const candidateEval = evaluateScores(hold(candidateScores), hold(labels), candidate.model.thresholds.medium, budget)

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
    current: { version: current.version, ...currentEval },
    candidate: { version: candidate.version, ...candidateEval },
    falsePositivePatterns: { holdout: patterns(fpIndexes(split)), all: patterns(fpIndexes(0)) },
    candidateWins: candidateWins(currentEval, candidateEval),
  }
}
