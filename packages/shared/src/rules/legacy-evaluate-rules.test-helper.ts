import { FEATURE_INDEX, type FeatureName } from '../detection/features/compute-features.ts'

/**
 * The six rules as they were hard-coded before rules became data (detection/rules.ts
 * up to issue #21), kept verbatim as the oracle DEFAULT_RULE_SET must reproduce. Test
 * code only.
 */
export const LEGACY_RULE_CONFIG = {
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

export function legacyEvaluateRules(features: ArrayLike<number>, config = LEGACY_RULE_CONFIG, offset = 0): string[] {
  const fired: string[] = []
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
