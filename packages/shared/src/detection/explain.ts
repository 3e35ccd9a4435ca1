import { FEATURE_WORDS, moneyFormatter, normOf } from './feature-labels.ts'
import { FEATURE_NAMES, type FeatureName } from './features/compute-features.ts'
import { STORED_CONTRIBUTIONS, type TExplanationDataV2, type TIsolationShare, type TStoredContribution } from './explanation-data.ts'
import { combineRaw, type AnomalyModel, type ModelScore } from './models/anomaly-model.ts'
import { scoreContributions } from './score-contributions.ts'

export * from './feature-labels.ts'
export * from './explanation-data.ts'
export { scoreContributions, rawContributions, type ScoreContributions, type RawContributions } from './score-contributions.ts'

/** One reason, as data (for the UI) and as a phrase (for a sentence). */
export interface FeatureReason {
  feature: FeatureName
  value: number
  /** What is usual for this account or merchant, when the features say so. */
  norm: number | null
  /** Push on the score in score units (0..1): positive raised it, negative lowered it. */
  contribution: number
  text: string
}

export interface Contribution extends FeatureReason {
  /** The feature in an analyst's words (chart axis). */
  label: string
  /** The isolation forest's part of `contribution` (0 when the score is not blended). */
  isolation: number
}

export interface Explanation extends ModelScore {
  /** The model's score before rules: baseline + sum(contributions) reproduces it. */
  modelScore: number
  /** The score of a row at the training average of every part. */
  baseline: number
  /** Every feature that moved the score, largest |contribution| first. */
  contributions: Contribution[]
  raisedBy: Contribution[]
  loweredBy: Contribution[]
  /** The isolation forest's share when the score blends it with the supervised trees. */
  isolationShare: TIsolationShare | null
  /** What rules added to the model's score (score - modelScore; 0 when none did). */
  ruleBoost: number
  /** The first `top` of raisedBy, for readers of the first explanation format. */
  topFeatures: FeatureReason[]
  /** Names of the rules that fired (rule sets are data: any rule's name). */
  rules: string[]
  /** One line an analyst can read. */
  summary: string
}

export interface ExplainOptions {
  /** How many raising features the sentence names (default 3; lowering: up to 2). */
  top?: number
  /** The score already computed (e.g. by ONNX Runtime, after rules), so the text matches it. */
  scored?: ModelScore
  /** ISO code of the transaction's currency, when known: amounts never get an invented one. */
  currency?: string | null
}

// Below this a contribution is rounding, not a reason worth naming in the sentence.
const NAMED_AT_LEAST = 0.0005
// ONNX Runtime scores in float32: differences this small are that, not a rule's boost.
const BOOST_NOISE = 1e-4

/**
 * Why a transaction scored as it did: every feature's additive push on the score (see
 * scoreContributions: supervised trees and isolation forest, weighted by the blend), in
 * an analyst's words and next to the account's norm, split into what raised and what
 * lowered it, plus the rules fired.
 */
export function explainScore(model: AnomalyModel, features: ArrayLike<number>, rules: readonly string[], options: ExplainOptions = {}): Explanation {
  const top = options.top ?? 3
  const width = FEATURE_NAMES.length
  const row = Array.from({ length: width }, (_, i) => features[i] ?? 0)
  const parts = scoreContributions(model, row, width)
  const scored = options.scored ?? combineRaw(model, parts.isolationRaw.raw, parts.supervised?.raw ?? null)
  const money = moneyFormatter(options.currency)
  const contributions = FEATURE_NAMES.map((feature, i): Contribution => {
    const value = row[i] as number
    const norm = normOf(feature, row)
    const words = FEATURE_WORDS[feature]
    const contribution = parts.perFeature[i] as number
    return { feature, label: words.label, value, norm, text: words.phrase(value, norm, money), contribution, isolation: parts.isolation[i] as number }
  })
    .filter((c) => c.contribution !== 0)
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution) || a.feature.localeCompare(b.feature))
  const raisedBy = contributions.filter((c) => c.contribution > 0)
  const loweredBy = contributions.filter((c) => c.contribution < 0)
  const isolationShare =
    parts.supervised && model.isolationBlend > 0
      ? { weight: model.isolationBlend, isolationScore: scored.isolationScore, contribution: parts.isolationMove }
      : null
  const boost = scored.score - parts.score
  const ruleBoost = rules.length > 0 && boost > BOOST_NOISE ? boost : 0
  const summary = sentence(scored, raisedBy.slice(0, top), loweredBy.slice(0, 2), isolationShare, rules, ruleBoost)
  const topFeatures = raisedBy.slice(0, top).map(({ feature, value, norm, contribution, text }) => ({ feature, value, norm, contribution, text }))
  return {
    ...scored,
    modelScore: parts.score,
    baseline: parts.baseline,
    contributions,
    raisedBy,
    loweredBy,
    isolationShare,
    ruleBoost,
    topFeatures,
    rules: [...rules],
    summary,
  }
}

const signed = (c: number): string => `${c < 0 ? '-' : '+'}${Math.abs(c).toFixed(Math.abs(c) < 0.01 ? 3 : 2)}`
const named = (items: Contribution[]): string =>
  items
    .filter((c) => Math.abs(c.contribution) >= NAMED_AT_LEAST)
    .map((c) => `${c.text} (${signed(c.contribution)})`)
    .join(', ')

/** "Score 0.91 (CRITICAL): raised by …; lowered by …; isolation forest …; rules fired: …." on one line. */
function sentence(
  scored: ModelScore,
  raised: Contribution[],
  lowered: Contribution[],
  share: TIsolationShare | null,
  rules: readonly string[],
  ruleBoost: number,
): string {
  const up = named(raised)
  const down = named(lowered)
  const clauses = [up === '' ? 'nothing stands out' : `raised by ${up}`]
  if (down !== '') clauses.push(`lowered by ${down}`)
  if (share !== null) clauses.push(`isolation forest share ${signed(share.contribution)}`)
  if (rules.length > 0) clauses.push(`rules fired: ${rules.join(', ')}${ruleBoost > 0 ? ` (${signed(ruleBoost)})` : ''}`)
  // Feature phrases are ours, but rule names are data: keep the sentence on one line.
  return `Score ${scored.score.toFixed(2)} (${scored.severity}): ${clauses.join('; ')}.`.replace(/\s+/g, ' ')
}

/**
 * The stored form (explanationData version 2): the largest contributions as data, the
 * rest summed into `other`, and `topFeatures` for readers of the first format.
 */
export function toExplanationData(e: Explanation): TExplanationDataV2 & { topFeatures: FeatureReason[] } {
  const kept = e.contributions.slice(0, STORED_CONTRIBUTIONS)
  const stored = (c: Contribution): TStoredContribution => ({ ...c })
  let other = 0
  for (const c of e.contributions.slice(STORED_CONTRIBUTIONS)) other += c.contribution
  return {
    v: 2,
    baseline: e.baseline,
    modelScore: e.modelScore,
    raisedBy: kept.filter((c) => c.contribution > 0).map(stored),
    loweredBy: kept.filter((c) => c.contribution < 0).map(stored),
    other,
    isolationShare: e.isolationShare,
    ruleBoost: e.ruleBoost,
    topFeatures: e.topFeatures.map((r) => ({ ...r })),
  }
}
