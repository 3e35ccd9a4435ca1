/**
 * A candidate model trained and scored on each rolling week, and its figures per week,
 * mean and worst week.
 */
import { scoreFeatureBatch } from '../src/detection/models/anomaly-model.ts'
import { trainAnomalyModel, type TrainOptions } from '../src/detection/models/train-model.ts'
import { aucRoc, averagePrecision } from '../src/detection/metrics.ts'
import { cardPrecisionAtK, type ScoredTx } from './card-precision.ts'
import type { HandbookData } from './handbook-data.ts'
import type { WeekSplit } from './rolling-weeks.ts'

export interface Candidate {
  name: string
  /** Trains on the split's training rows and scores its test rows (higher = more suspicious). */
  score: (split: WeekSplit) => Float64Array
}

export interface WeekFigures {
  auc: number
  ap: number
  cp100: number
  trainSeconds: number
}

export interface CandidateResult {
  name: string
  weeks: WeekFigures[]
  mean: WeekFigures
  /** Each figure's worst week (lowest quality, longest time). */
  worst: WeekFigures
}

/** A candidate from product training options (holdout off: the test week is the holdout). */
export function productCandidate(name: string, options: TrainOptions, withLabels = true): Candidate {
  return {
    name,
    score: (split) => {
      const { model } = trainAnomalyModel(split.trainRows, { ...options, labels: withLabels ? split.trainLabels : undefined, holdoutFraction: 0 })
      return scoreFeatureBatch(model, split.testRows)
    },
  }
}

export function scoredRows(data: HandbookData, split: WeekSplit, scores: ArrayLike<number>): ScoredTx[] {
  return Array.from(split.testIdx, (i, k) => ({
    day: split.testDays[k] as number,
    card: data.cards[i] as string,
    score: scores[k] as number,
    fraud: data.labels[i] === 1,
  }))
}

export function evaluateWeek(data: HandbookData, split: WeekSplit, candidate: Candidate): { figures: WeekFigures; scores: Float64Array } {
  const t0 = performance.now()
  const scores = candidate.score(split)
  const trainSeconds = (performance.now() - t0) / 1000
  return {
    scores,
    figures: {
      auc: aucRoc(scores, split.testLabels),
      ap: averagePrecision(scores, split.testLabels),
      cp100: cardPrecisionAtK(scoredRows(data, split, scores), 100),
      trainSeconds,
    },
  }
}

export function summarise(name: string, weeks: WeekFigures[]): CandidateResult {
  const mean = (pick: (w: WeekFigures) => number): number => weeks.reduce((s, w) => s + pick(w), 0) / Math.max(weeks.length, 1)
  const min = (pick: (w: WeekFigures) => number): number => Math.min(...weeks.map(pick))
  return {
    name,
    weeks,
    mean: { auc: mean((w) => w.auc), ap: mean((w) => w.ap), cp100: mean((w) => w.cp100), trainSeconds: mean((w) => w.trainSeconds) },
    worst: { auc: min((w) => w.auc), ap: min((w) => w.ap), cp100: min((w) => w.cp100), trainSeconds: Math.max(...weeks.map((w) => w.trainSeconds)) },
  }
}
