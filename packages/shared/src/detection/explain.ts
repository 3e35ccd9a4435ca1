import { FEATURE_INDEX, FEATURE_NAMES, type FeatureName } from './features/compute-features.ts'
import { combineRaw, type AnomalyModel, type ModelScore } from './models/anomaly-model.ts'
import { pathContributions, predictRaw } from './models/tree-ensemble.ts'

/** One reason, as data (for the UI) and as a phrase (for a sentence). */
export interface FeatureReason {
  feature: FeatureName
  value: number
  /** What is usual for this account or merchant, when the features say so. */
  norm: number | null
  /** Push towards "anomalous" in the model's raw units; larger means more important. */
  contribution: number
  text: string
}

export interface Explanation extends ModelScore {
  topFeatures: FeatureReason[]
  /** Names of the rules that fired (rule sets are data: any rule's name). */
  rules: string[]
  /** One sentence an analyst can read. */
  summary: string
}

type Norm = (f: (n: FeatureName) => number) => number | null

// For account-relative features, the comparable "usual" value, derived from other
// features of the same row (so explanations need no extra state).
const NORMS: Partial<Record<FeatureName, Norm>> = {
  amount: (f) => (f('acct_history_count') > 0 ? f('acct_mean_amount') : null),
  acct_amount_ratio: () => 1,
  acct_amount_zscore: () => 0,
  acct_count_1d: (f) => f('acct_count_30d') / 30,
  acct_count_7d: (f) => (f('acct_count_30d') * 7) / 30,
  acct_avg_amount_1d: (f) => f('acct_avg_amount_30d'),
  acct_avg_amount_7d: (f) => f('acct_avg_amount_30d'),
  acct_hours_since_last: (f) => (f('acct_count_30d') > 1 ? (30 * 24) / f('acct_count_30d') : null),
  merch_count_1d: (f) => f('merch_count_30d') / 30,
  merch_amount_ratio: () => 1,
  acct_amount_over_max_7d: () => 1,
}

const fmt = (v: number, digits = 2): string => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(digits))
const pct = (v: number): string => `${(v * 100).toFixed(0)}%`

function phrase(name: FeatureName, value: number, norm: number | null): string {
  const vs = norm === null ? '' : ` vs usual ${fmt(norm)}`
  switch (name) {
    case 'amount':
      return `amount ${fmt(value)}${vs}`
    case 'acct_amount_ratio':
      return `amount ${fmt(value, 1)}x the account's usual`
    case 'acct_amount_zscore':
      return `amount ${fmt(value, 1)} standard deviations from the account's usual`
    case 'acct_new_merchant':
      return value === 1 ? 'first purchase at this merchant' : 'a merchant this account uses'
    case 'acct_hours_since_last':
      return value < 0
        ? 'first transaction of this account'
        : `${fmt(value, 1)} h since the previous transaction${norm === null ? '' : ` vs ${fmt(norm, 1)} h usually`}`
    case 'merch_risk_1d':
    case 'merch_risk_7d':
    case 'merch_risk_30d':
      return `${pct(value)} known fraud at this merchant (${name.slice(11)} window, labels older than the delay)`
    case 'merch_risk_exact_1d':
    case 'merch_risk_exact_7d':
    case 'merch_risk_exact_30d':
      return `${pct(value)} known fraud at this merchant (${name.slice(17)} window, labels older than the delay)`
    case 'merch_hours_since_fraud':
      return value < 0 ? 'no known fraud at this merchant' : `last known fraud at this merchant ${fmt(value / 24, 1)} days before the label delay`
    case 'acct_amount_over_max_7d':
      return `amount ${fmt(value, 1)}x the account's largest in 7 days`
    case 'acct_known_fraud_30d':
      return `${fmt(value, 0)} confirmed fraud(s) on this account in the last 30 days`
    case 'merch_known_fraud_30d':
      return `${fmt(value, 0)} confirmed fraud(s) at this merchant in the last 30 days`
    case 'is_night':
    case 'is_weekend':
      return value === 1 ? (name === 'is_night' ? 'at night' : 'on a weekend') : name === 'is_night' ? 'in daytime' : 'on a weekday'
    case 'hour_of_day':
      return `at ${fmt(value, 0)}:00`
    default:
      return `${name.replaceAll('_', ' ')} ${fmt(value)}${vs}`
  }
}

/**
 * Why a transaction scored as it did: the features that pushed the score up most
 * (tree path contributions of the supervised model, or of the isolation forest when
 * there are no labels), each next to the account's norm, plus the rules fired.
 */
export interface ExplainOptions {
  /** How many features to name (default 3). */
  top?: number
  /** The score already computed (e.g. by ONNX Runtime), so the text matches it. */
  scored?: ModelScore
}

export function explainScore(model: AnomalyModel, features: ArrayLike<number>, rules: readonly string[], options: ExplainOptions = {}): Explanation {
  const top = options.top ?? 3
  const width = FEATURE_NAMES.length
  const row = Array.from({ length: width }, (_, i) => features[i] ?? 0)
  const supervised = model.supervised
  const scored = options.scored ?? combineRaw(model, predictRaw(model.isolation.ensemble, row), supervised ? predictRaw(supervised, row) : null)
  // A shorter isolation path means more anomalous, hence the sign flip.
  const contributions = supervised ? pathContributions(supervised, row, width) : pathContributions(model.isolation.ensemble, row, width).map((c) => -c)
  const f = (n: FeatureName): number => row[FEATURE_INDEX[n]] as number
  const topFeatures = FEATURE_NAMES.map((name, i) => ({ name, c: contributions[i] as number }))
    .filter((x) => x.c > 0)
    .sort((a, b) => b.c - a.c || a.name.localeCompare(b.name))
    .slice(0, top)
    .map(({ name, c }): FeatureReason => {
      const value = f(name)
      // A first transaction has no account norm to compare with.
      const norm = name.startsWith('acct_') && f('acct_history_count') === 0 ? null : (NORMS[name]?.(f) ?? null)
      return { feature: name, value, norm, contribution: c, text: phrase(name, value, norm) }
    })
  const reasons = topFeatures.length > 0 ? topFeatures.map((r) => r.text).join('; ') : 'nothing stands out'
  const ruleText = rules.length > 0 ? `; rules fired: ${rules.join(', ')}` : ''
  const summary = `Score ${scored.score.toFixed(2)} (${scored.severity}): ${reasons}${ruleText}.`
  return { ...scored, topFeatures, rules: [...rules], summary }
}
