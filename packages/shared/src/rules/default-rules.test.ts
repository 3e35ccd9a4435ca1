import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { buildFeatureMatrix } from '../detection/features/feature-matrix.ts'
import { FEATURE_NAMES, type FeatureName } from '../detection/features/compute-features.ts'
import { generateTransactions } from '../generator/generate-transactions.ts'
import type { TTransaction } from '../transactions/transaction-input.ts'
import { DEFAULT_RULE_SET, defaultCompiledRuleSet } from './default-rules.ts'
import { legacyEvaluateRules } from './legacy-evaluate-rules.test-helper.ts'
import { NO_LISTS } from './rule-types.ts'

const width = FEATURE_NAMES.length
const tx: TTransaction = { txId: 't1', timestamp: 0, amount: 10, currency: 'INR', accountId: 'a1', merchantId: 'm1' }
const features = (values: Partial<Record<FeatureName, number>>): Float32Array => Float32Array.from(FEATURE_NAMES, (n) => values[n] ?? 0)
const fired = (row: Float32Array, offset = 0): string[] => defaultCompiledRuleSet().evaluate(tx, row, offset, NO_LISTS).fired

const ordinary = { acct_history_count: 50, acct_count_30d: 60, acct_count_1d: 2, acct_amount_ratio: 1, acct_hours_since_last: 5 }

describe('DEFAULT_RULE_SET', () => {
  it('is version 0 with the six built-in rules, all ACTIVE, no floor or boost', () => {
    expect(DEFAULT_RULE_SET.version).toBe(0)
    expect(DEFAULT_RULE_SET.rules.map((r) => [r.name, r.mode, r.severityFloor, r.scoreBoost])).toEqual(
      ['VELOCITY_HIGH', 'AMOUNT_SPIKE', 'NEW_MERCHANT_HIGH_AMOUNT', 'RISKY_TERMINAL', 'RAPID_REPEAT', 'KNOWN_COMPROMISED_ACCOUNT'].map((n) => [
        n,
        'ACTIVE',
        null,
        null,
      ]),
    )
    expect(defaultCompiledRuleSet()).toBe(defaultCompiledRuleSet())
  })

  it('fires each rule at its threshold and not just below it', () => {
    expect(fired(features(ordinary))).toEqual([])
    expect(fired(features({ ...ordinary, acct_count_1d: 6 }))).toEqual(['VELOCITY_HIGH'])
    expect(fired(features({ ...ordinary, acct_count_1d: 5 }))).toEqual([])
    // 3 x the 30-day daily average (90 / 30 = 3 a day, so 9) beats the minimum of 6.
    expect(fired(features({ ...ordinary, acct_count_30d: 90, acct_count_1d: 8 }))).toEqual([])
    expect(fired(features({ ...ordinary, acct_count_30d: 90, acct_count_1d: 9 }))).toEqual(['VELOCITY_HIGH'])
    expect(fired(features({ ...ordinary, acct_amount_ratio: 4 }))).toEqual(['AMOUNT_SPIKE'])
    expect(fired(features({ ...ordinary, acct_amount_ratio: 3, acct_new_merchant: 1 }))).toEqual(['NEW_MERCHANT_HIGH_AMOUNT'])
    expect(fired(features({ ...ordinary, acct_amount_ratio: 2.4, acct_new_merchant: 1 }))).toEqual([])
    expect(fired(features({ ...ordinary, merch_risk_30d: 0.25, merch_known_fraud_30d: 3 }))).toEqual(['RISKY_TERMINAL'])
    expect(fired(features({ ...ordinary, merch_risk_30d: 0.25, merch_known_fraud_30d: 1 }))).toEqual([])
    expect(fired(features({ ...ordinary, acct_hours_since_last: 0.01 }))).toEqual(['RAPID_REPEAT'])
    expect(fired(features({ ...ordinary, acct_hours_since_last: -1 }))).toEqual([])
    expect(fired(features({ ...ordinary, acct_known_fraud_30d: 1 }))).toEqual(['KNOWN_COMPROMISED_ACCOUNT'])
  })

  it('needs history before an amount is a spike', () => {
    expect(fired(features({ ...ordinary, acct_history_count: 4, acct_amount_ratio: 10 }))).toEqual([])
  })

  // The edge values the old rules compare against, so a float32 row lands exactly on a threshold.
  const edge = fc.constantFrom(0, -1, 1, 2, 2.5, 3, 4, 5, 6, 9, 30, 90, 0.2, 1 / 60, 0.5 / 60, 2 / 60)
  const value = fc.oneof(edge, fc.integer({ min: -1, max: 400 }), fc.double({ min: -2, max: 500, noNaN: true }))
  const row = fc.array(value, { minLength: width, maxLength: width }).map((values) => Float32Array.from(values))

  it('fires exactly what the old hard-coded rules fired, on random feature rows with threshold values', () => {
    fc.assert(
      fc.property(row, (r) => {
        expect(fired(r)).toEqual(legacyEvaluateRules(r))
      }),
      { numRuns: 20_000 },
    )
  })

  it('reads the row at the given offset, as the old rules did', () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 5 }), (rows) => {
        const batch = new Float32Array(rows.length * width)
        rows.forEach((r, i) => batch.set(r, i * width))
        rows.forEach((_, i) => expect(fired(batch, i * width)).toEqual(legacyEvaluateRules(batch, undefined, i * width)))
      }),
    )
  })

  it('fires exactly what the old rules fired on the seed data, with fraud labels fed back', () => {
    const generated = [...generateTransactions({ seed: 21, customers: 300, terminals: 300, days: 45 })]
    const matrix = buildFeatureMatrix(generated.map((g) => ({ transaction: g.transaction, isFraud: g.isFraud })))
    const counts = new Map<string, number>()
    for (let i = 0; i < matrix.count; i += 1) {
      const offset = i * width
      const names = defaultCompiledRuleSet().evaluate(generated[i]?.transaction as TTransaction, matrix.rows, offset, NO_LISTS).fired
      expect(names).toEqual(legacyEvaluateRules(matrix.rows, undefined, offset))
      for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1)
    }
    // The comparison means something only if the data makes the rules fire.
    expect([...counts.keys()].sort()).toEqual([
      'AMOUNT_SPIKE',
      'KNOWN_COMPROMISED_ACCOUNT',
      'NEW_MERCHANT_HIGH_AMOUNT',
      'RAPID_REPEAT',
      'RISKY_TERMINAL',
      'VELOCITY_HIGH',
    ])
  })
})
