import { compileRuleSet, type CompiledRuleSet } from './rule-set.ts'
import type { RuleDefinition, RuleSetDefinition } from './rule-types.ts'

const rule = (name: string, expression: string, description: string): RuleDefinition => ({
  name,
  expression,
  description,
  mode: 'ACTIVE',
  severityFloor: null,
  scoreBoost: null,
})

/**
 * Version 0: the six rules the engine shipped with before rules were data, written in
 * the rule language. They evaluate exactly as the old hard-coded rules did (a property
 * test compares them): same thresholds, and the same arithmetic in the same order,
 * because features are float32 and a reordered product can land on the other side
 * of a threshold. No floor and no boost: they name reasons, the model sets the score.
 */
export const DEFAULT_RULE_SET: RuleSetDefinition = {
  version: 0,
  rules: [
    rule(
      'VELOCITY_HIGH',
      'count_last("1d") >= max(6, 3 * (count_last("30d") / 30))',
      "At least 6 transactions today, and at least 3 times the account's daily average over 30 days.",
    ),
    rule(
      'AMOUNT_SPIKE',
      'acct_history_count >= 5 and acct_amount_ratio >= 4',
      "The amount is at least 4 times the account's usual, for an account with at least 5 earlier transactions.",
    ),
    rule(
      'NEW_MERCHANT_HIGH_AMOUNT',
      'acct_history_count >= 5 and acct_new_merchant == 1 and acct_amount_ratio >= 2.5',
      "A first purchase at this merchant, at 2.5 times the account's usual amount or more (accounts with at least 5 earlier transactions).",
    ),
    rule(
      'RISKY_TERMINAL',
      'merch_risk_30d >= 0.2 and merch_known_fraud_30d >= 2',
      "At least 20% of the merchant's transactions over 30 days were confirmed fraud, and at least 2 of them.",
    ),
    rule('RAPID_REPEAT', 'hours_since_last() >= 0 and hours_since_last() * 60 < 1', 'Another transaction on the account less than a minute before this one.'),
    rule('KNOWN_COMPROMISED_ACCOUNT', 'acct_known_fraud_30d > 0', 'The account had a confirmed fraud in the last 30 days.'),
  ],
}

let compiledDefault: CompiledRuleSet | null = null

/** DEFAULT_RULE_SET compiled once (it names no lists). */
export function defaultCompiledRuleSet(): CompiledRuleSet {
  compiledDefault ??= compileRuleSet(DEFAULT_RULE_SET, [])
  return compiledDefault
}
