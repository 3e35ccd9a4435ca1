import { describe, expect, it } from 'vitest'
import { FEATURE_NAMES, type FeatureName } from './features/compute-features.ts'
import { DEFAULT_RULE_CONFIG, evaluateRules } from './rules.ts'

const features = (values: Partial<Record<FeatureName, number>>): Float32Array => Float32Array.from(FEATURE_NAMES, (n) => values[n] ?? 0)

const ordinary = { acct_history_count: 50, acct_count_30d: 60, acct_count_1d: 2, acct_amount_ratio: 1, acct_hours_since_last: 5 }

describe('evaluateRules', () => {
  it('fires nothing on an ordinary transaction', () => {
    expect(evaluateRules(features(ordinary))).toEqual([])
  })

  it('fires each rule at its threshold and not just below', () => {
    expect(evaluateRules(features({ ...ordinary, acct_count_1d: 6 }))).toEqual(['VELOCITY_HIGH'])
    expect(evaluateRules(features({ ...ordinary, acct_count_1d: 5 }))).toEqual([])
    expect(evaluateRules(features({ ...ordinary, acct_amount_ratio: 4 }))).toEqual(['AMOUNT_SPIKE'])
    expect(evaluateRules(features({ ...ordinary, acct_amount_ratio: 3, acct_new_merchant: 1 }))).toEqual(['NEW_MERCHANT_HIGH_AMOUNT'])
    expect(evaluateRules(features({ ...ordinary, merch_risk_30d: 0.25, merch_known_fraud_30d: 3 }))).toEqual(['RISKY_TERMINAL'])
    expect(evaluateRules(features({ ...ordinary, merch_risk_30d: 0.25, merch_known_fraud_30d: 1 }))).toEqual([])
    expect(evaluateRules(features({ ...ordinary, acct_hours_since_last: 0.01 }))).toEqual(['RAPID_REPEAT'])
    expect(evaluateRules(features({ ...ordinary, acct_known_fraud_30d: 1 }))).toEqual(['KNOWN_COMPROMISED_ACCOUNT'])
  })

  it('does not call a young account spiky and honours a custom config', () => {
    expect(evaluateRules(features({ ...ordinary, acct_history_count: 2, acct_amount_ratio: 10 }))).toEqual([])
    expect(evaluateRules(features({ ...ordinary, acct_amount_ratio: 3 }), { ...DEFAULT_RULE_CONFIG, amountSpikeRatio: 2 })).toEqual(['AMOUNT_SPIKE'])
  })
})
