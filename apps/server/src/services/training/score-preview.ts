import { scoreFeatureBatch, severityOf, type AnomalyModel, type FeatureConfig } from '@anomalyze/shared/engine'
import { compareModels, type ModelComparison } from './model-comparison.ts'
import { compareAlertQueues, type PreviewRow, type QueueComparison } from './preview-candidate-compare.ts'
import type { PreviewWindow } from './preview-window.ts'

/** One side of the comparison: a version and its model (a plain, structured-cloneable object). */
export interface PreviewSide {
  version: string
  model: AnomalyModel
}

/** What the preview computes from the history: the window, the two queues, the evaluation's figures. */
export interface PreviewComputation {
  queue: QueueComparison
  comparison: ModelComparison
  window: {
    /** ISO times of the first and last transaction scored; null when the organisation has none. */
    from: string | null
    to: string | null
    transactions: number
    boundedBy: 'days' | 'rows'
    historyReplayed: number
  }
}

const configKey = (config: FeatureConfig): string => JSON.stringify(config)

/**
 * The distinct feature configurations of the two models (one replay each), and which
 * of them each model reads: a candidate trained with the same configuration shares
 * the active model's features.
 */
export function previewConfigs(current: PreviewSide, candidate: PreviewSide): { configs: FeatureConfig[]; currentIndex: number; candidateIndex: number } {
  const same = configKey(current.model.featureConfig) === configKey(candidate.model.featureConfig)
  return same
    ? { configs: [current.model.featureConfig], currentIndex: 0, candidateIndex: 0 }
    : { configs: [current.model.featureConfig, candidate.model.featureConfig], currentIndex: 0, candidateIndex: 1 }
}

/**
 * Scores the window with both models, each on features computed with its own
 * configuration (as scoring does), and compares the queues (compareAlertQueues) and
 * the evaluation's figures (compareModels) against the organisation's budget. Pure.
 */
export function scorePreview(
  window: PreviewWindow,
  sides: { current: PreviewSide; candidate: PreviewSide; currentIndex: number; candidateIndex: number },
  budgetPerDay: number,
  limit: number,
): PreviewComputation {
  const { current, candidate } = sides
  const featuresOf = (index: number): Float32Array => {
    const features = window.features[index]
    if (!features) throw new Error(`the preview window has no features for configuration ${index}`)
    return features
  }
  const beforeScores = scoreFeatureBatch(current.model, featuresOf(sides.currentIndex))
  const afterScores = scoreFeatureBatch(candidate.model, featuresOf(sides.candidateIndex))
  const rows: PreviewRow[] = window.txIds.map((txId, i) => {
    const before = beforeScores[i] ?? 0
    const after = afterScores[i] ?? 0
    return {
      txId,
      merchantId: window.merchantIds[i] ?? '',
      amount: window.amounts[i] ?? 0,
      currency: window.currencies[i] ?? '',
      timestamp: window.timestamps[i] ?? 0,
      decision: window.decisions[i] ?? null,
      before: { score: before, severity: severityOf(current.model.thresholds, before) },
      after: { score: after, severity: severityOf(candidate.model.thresholds, after) },
    }
  })
  const queue = compareAlertQueues(rows, limit)
  const comparison = compareModels(
    {
      labels: Uint8Array.from(window.decisions, (d) => (d === 'CONFIRMED_FRAUD' ? 1 : 0)),
      timestamps: window.timestamps,
      accountIds: window.accountIds,
    },
    { version: current.version, scores: beforeScores, threshold: current.model.thresholds.medium },
    { version: candidate.version, scores: afterScores, threshold: candidate.model.thresholds.medium },
    budgetPerDay,
  )
  const first = window.timestamps[0]
  const last = window.timestamps.at(-1)
  return {
    queue,
    comparison,
    window: {
      from: first === undefined ? null : new Date(first).toISOString(),
      to: last === undefined ? null : new Date(last).toISOString(),
      transactions: rows.length,
      boundedBy: window.boundedBy,
      historyReplayed: window.replayed,
    },
  }
}
