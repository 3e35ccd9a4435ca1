import type { Severity } from '../../domain/severity.ts'
import type { FeatureConfig } from '../features/compute-features.ts'
import { sigmoid } from './gradient-boosting.ts'
import { isolationScore, type IsolationForest } from './isolation-forest.ts'
import { predictRaw, predictRawBatch, type TreeEnsemble } from './tree-ensemble.ts'

/** Bumped when the model's JSON shape or the meaning of its outputs changes. */
export const MODEL_FORMAT_VERSION = 1

/**
 * 'weighted-mean': (1 - w) * p + w * iso, the first rule: the isolation term reorders
 * the confident frauds too, which cost average precision on unseen weeks.
 * 'raise': p + w * iso * (1 - p) = 1 - (1 - p)(1 - w * iso): the isolation score can
 * only raise the probability, by at most w * (1 - p), so it mostly orders the rows the
 * trees find equally unlikely (docs/benchmarks.md, issue #22).
 */
export type IsolationBlendRule = 'weighted-mean' | 'raise'

/** Score cut-offs, chosen at train time from an alert budget (see trainAnomalyModel). */
export interface SeverityThresholds {
  medium: number
  high: number
  critical: number
}

/** Share of transactions expected at or above each severity. */
export interface AlertBudget {
  medium: number
  high: number
  critical: number
}

export const DEFAULT_ALERT_BUDGET: AlertBudget = { medium: 0.02, high: 0.005, critical: 0.001 }

/**
 * A trained detector: an isolation forest always (it needs no labels), plus boosted
 * trees when labels existed. Plain JSON so it can be stored, shipped and hashed.
 */
export interface AnomalyModel {
  formatVersion: typeof MODEL_FORMAT_VERSION
  featureNames: string[]
  featureConfig: FeatureConfig
  isolation: IsolationForest
  supervised: TreeEnsemble | null
  /** Weight of the isolation score in the combined score when `supervised` exists. */
  isolationBlend: number
  /**
   * How `isolationBlend` mixes the two scores (see blendParts). Absent in models
   * trained before it existed: those keep the weighted mean they were trained with.
   */
  isolationBlendRule?: IsolationBlendRule
  thresholds: SeverityThresholds
  alertBudget: AlertBudget
}

export interface ModelScore {
  /** Combined score in 0..1: higher is more suspicious. */
  score: number
  severity: Severity
  isolationScore: number
  /** Probability of fraud from the supervised model, null when there is none. */
  fraudProbability: number | null
}

/**
 * Turns the ensembles' raw outputs into the final score. Both scorers (the TS trees
 * here and ONNX Runtime in node/) produce raw outputs and share this step.
 */
export function combineRaw(model: AnomalyModel, isolationRaw: number, supervisedRaw: number | null): ModelScore {
  const iso = isolationScore(model.isolation, isolationRaw)
  const probability = supervisedRaw === null || !model.supervised ? null : sigmoid(supervisedRaw)
  const score = blend(model, iso, probability)
  return { score, severity: severityOf(model.thresholds, score), isolationScore: iso, fraudProbability: probability }
}

/** The combined score's two summands: what the trees and what the isolation forest add. */
export function blendParts(model: AnomalyModel, iso: number, probability: number | null): { supervised: number; isolation: number } {
  if (probability === null) return { supervised: 0, isolation: iso }
  const w = model.isolationBlend
  return (model.isolationBlendRule ?? 'weighted-mean') === 'raise'
    ? { supervised: probability, isolation: w * iso * (1 - probability) }
    : { supervised: (1 - w) * probability, isolation: w * iso }
}

function blend(model: AnomalyModel, iso: number, probability: number | null): number {
  const parts = blendParts(model, iso, probability)
  return parts.supervised + parts.isolation
}

export function severityOf(t: SeverityThresholds, score: number): Severity {
  if (score >= t.critical) return 'CRITICAL'
  if (score >= t.high) return 'HIGH'
  if (score >= t.medium) return 'MEDIUM'
  return 'LOW'
}

/** Reference scorer for one feature row (pure TS: usable in the renderer). */
export function scoreFeatures(model: AnomalyModel, features: ArrayLike<number>, offset = 0): ModelScore {
  const isoRaw = predictRaw(model.isolation.ensemble, features, offset)
  const supRaw = model.supervised ? predictRaw(model.supervised, features, offset) : null
  return combineRaw(model, isoRaw, supRaw)
}

/** Scores of `rows` (row-major, one row per featureNames.length values). */
export function scoreFeatureBatch(model: AnomalyModel, rows: Float32Array): Float64Array {
  const width = model.featureNames.length
  const isoRaw = predictRawBatch(model.isolation.ensemble, rows, width)
  const supRaw = model.supervised ? predictRawBatch(model.supervised, rows, width) : null
  const out = new Float64Array(isoRaw.length)
  for (let i = 0; i < out.length; i += 1) {
    out[i] = blend(model, isolationScore(model.isolation, isoRaw[i] as number), supRaw ? sigmoid(supRaw[i] as number) : null)
  }
  return out
}
