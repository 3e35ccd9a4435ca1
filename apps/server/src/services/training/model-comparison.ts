import { aucRoc, averagePrecision } from '@anomalyze/shared/engine'
import { alertsPerDay, compareAlertVolume, daysSpanned, type AlertVolume } from './alert-volume.ts'
import { cardPrecisionAtK } from './card-precision.ts'

/** Card precision is read on at most this many cards a day (fewer when the window is smaller). */
export const CARD_PRECISION_K = 100

/** One model's figures on a window of labelled transactions. */
export interface ModelFigures {
  version: string
  /** null when the window has no confirmed fraud (ranking metrics need at least one). */
  averagePrecision: number | null
  /** null without both a confirmed fraud and another transaction. */
  aucRoc: number | null
  /** null when the window has no confirmed fraud. */
  cardPrecisionAtK: number | null
  /** Alerts a day at the model's own medium threshold. */
  alertsPerDay: number
}

export interface ModelComparison {
  current: ModelFigures
  candidate: ModelFigures
  /** k used for card precision: min(100, transactions in the window). */
  cardPrecisionK: number
  alertVolume: AlertVolume
}

/** The same transactions as both models see them; labels: 1 = confirmed fraud. */
export interface ComparisonWindow {
  labels: ArrayLike<number>
  timestamps: ArrayLike<number>
  accountIds: readonly string[]
}

export interface ScoredSide {
  version: string
  scores: ArrayLike<number>
  /** The model's medium threshold (its alert threshold). */
  threshold: number
}

const finiteOrNull = (n: number): number | null => (Number.isFinite(n) ? n : null)

/**
 * Current against candidate on one window: average precision, AUC ROC and card
 * precision@k (card = account) against the analysts' labels, and the alerts a day
 * each would raise against the organisation's budget. Pure: callers score.
 */
export function compareModels(window: ComparisonWindow, current: ScoredSide, candidate: ScoredSide, budgetPerDay: number): ModelComparison {
  const n = window.labels.length
  const k = Math.min(CARD_PRECISION_K, n)
  let frauds = 0
  for (let i = 0; i < n; i += 1) frauds += window.labels[i] === 1 ? 1 : 0
  const days = daysSpanned(Array.from(window.timestamps))
  const figures = (side: ScoredSide): ModelFigures => ({
    version: side.version,
    averagePrecision: frauds > 0 ? finiteOrNull(averagePrecision(side.scores, window.labels)) : null,
    aucRoc: frauds > 0 ? finiteOrNull(aucRoc(side.scores, window.labels)) : null,
    cardPrecisionAtK:
      frauds > 0
        ? cardPrecisionAtK(
            window.accountIds.map((card, i) => ({
              card,
              timestamp: window.timestamps[i] ?? 0,
              score: side.scores[i] ?? 0,
              fraud: window.labels[i] === 1,
            })),
            k,
          )
        : null,
    alertsPerDay: alertsPerDay(side.scores, side.threshold, days),
  })
  const currentFigures = figures(current)
  const candidateFigures = figures(candidate)
  return {
    current: currentFigures,
    candidate: candidateFigures,
    cardPrecisionK: k,
    alertVolume: compareAlertVolume(currentFigures.alertsPerDay, candidateFigures.alertsPerDay, budgetPerDay),
  }
}
