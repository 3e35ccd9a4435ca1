import { FEATURE_INDEX, type FeatureName } from './features/compute-features.ts'

/**
 * Named, deterministic rules over the features. They do not feed the score: they
 * are what an analyst reads first ("why was this flagged?") and what still works when
 * a model has been trained on little data.
 */
export const RULE_NAMES = ['VELOCITY_HIGH', 'AMOUNT_SPIKE', 'NEW_MERCHANT_HIGH_AMOUNT', 'RISKY_TERMINAL', 'RAPID_REPEAT', 'KNOWN_COMPROMISED_ACCOUNT'] as const

export type RuleName = (typeof RULE_NAMES)[number]

export interface RuleConfig {
  /** VELOCITY_HIGH: at least this many transactions today... */
  velocityMinCount: number
  /** ...and this many times the account's 30-day daily average. */
  velocityFactor: number
  /** AMOUNT_SPIKE: amount at least this many times the account's usual amount... */
  amountSpikeRatio: number
  /** ...with at least this much history, so a new account's second purchase is not a spike. */
  amountSpikeMinHistory: number
  /** NEW_MERCHANT_HIGH_AMOUNT: first use of a merchant at this many times the usual amount. */
  newMerchantAmountRatio: number
  /** RISKY_TERMINAL: share of known frauds at the merchant over 30 days (delayed labels). */
  riskyTerminalShare: number
  riskyTerminalMinFrauds: number
  /** RAPID_REPEAT: another transaction within this many minutes. */
  rapidRepeatMinutes: number
}

export const DEFAULT_RULE_CONFIG: RuleConfig = {
  velocityMinCount: 6,
  velocityFactor: 3,
  amountSpikeRatio: 4,
  amountSpikeMinHistory: 5,
  newMerchantAmountRatio: 2.5,
  riskyTerminalShare: 0.2,
  riskyTerminalMinFrauds: 2,
  rapidRepeatMinutes: 1,
}

function read(features: ArrayLike<number>, offset: number, name: FeatureName): number {
  return features[offset + FEATURE_INDEX[name]] ?? 0
}

/** Rules fired for the feature row at `offset` in `features`. */
export function evaluateRules(features: ArrayLike<number>, config: RuleConfig = DEFAULT_RULE_CONFIG, offset = 0): RuleName[] {
  const fired: RuleName[] = []
  const history = read(features, offset, 'acct_history_count')
  const dailyAverage = read(features, offset, 'acct_count_30d') / 30
  if (read(features, offset, 'acct_count_1d') >= Math.max(config.velocityMinCount, config.velocityFactor * dailyAverage)) fired.push('VELOCITY_HIGH')
  if (history >= config.amountSpikeMinHistory && read(features, offset, 'acct_amount_ratio') >= config.amountSpikeRatio) fired.push('AMOUNT_SPIKE')
  if (
    history >= config.amountSpikeMinHistory &&
    read(features, offset, 'acct_new_merchant') === 1 &&
    read(features, offset, 'acct_amount_ratio') >= config.newMerchantAmountRatio
  ) {
    fired.push('NEW_MERCHANT_HIGH_AMOUNT')
  }
  if (
    read(features, offset, 'merch_risk_30d') >= config.riskyTerminalShare &&
    read(features, offset, 'merch_known_fraud_30d') >= config.riskyTerminalMinFrauds
  ) {
    fired.push('RISKY_TERMINAL')
  }
  const sinceLast = read(features, offset, 'acct_hours_since_last')
  if (sinceLast >= 0 && sinceLast * 60 < config.rapidRepeatMinutes) fired.push('RAPID_REPEAT')
  if (read(features, offset, 'acct_known_fraud_30d') > 0) fired.push('KNOWN_COMPROMISED_ACCOUNT')
  return fired
}
