import { describe, expect, it } from 'vitest'
import { FEATURE_NAMES, type FeatureName } from '../detection/features/compute-features.ts'
import type { TTransaction } from '../transactions/transaction-input.ts'
import { compileRule, compileRuleSet, RuleSetError } from './rule-set.ts'
import { NO_LISTS, type ListInfo, type RuleDefinition, type RuleLists } from './rule-types.ts'

const tx: TTransaction = {
  txId: 't1',
  timestamp: 0,
  amount: 250,
  currency: 'INR',
  accountId: '4111222233334444',
  merchantId: 'm-7',
  country: 'IN',
  channel: 'Ecommerce',
}
const row = (values: Partial<Record<FeatureName, number>>): Float32Array => Float32Array.from(FEATURE_NAMES, (n) => values[n] ?? 0)
const LIST_INFO: ListInfo[] = [{ name: 'bad_bins', kind: 'DENY', field: 'card_bin' }]
const LISTS: RuleLists = { values: new Map([['bad_bins', new Set(['411122'])]]), allow: [] }

/** Whether `expression` holds for the transaction (or `t`) with the given feature values. */
const holds = (expression: string, values: Partial<Record<FeatureName, number>> = {}, t: TTransaction = tx): boolean =>
  compileRule(expression, LIST_INFO)(t, row(values), 0, LISTS)

describe('compiled rules', () => {
  it('gives * and / precedence over + and -, left to right, and unary minus', () => {
    expect(holds('1 + 2 * 3 == 7')).toBe(true)
    expect(holds('(1 + 2) * 3 == 9')).toBe(true)
    expect(holds('10 - 4 - 3 == 3')).toBe(true)
    expect(holds('12 / 4 / 3 == 1')).toBe(true)
    expect(holds('-2 * -3 == 6')).toBe(true)
    expect(holds('- amount < 0', { amount: 5 })).toBe(true)
  })

  it('binds not tighter than and, and and tighter than or', () => {
    expect(holds('true or false and false')).toBe(true)
    expect(holds('(true or false) and false')).toBe(false)
    expect(holds('not false and false')).toBe(false)
    expect(holds('not (false and false)')).toBe(true)
    expect(holds('NOT true OR true')).toBe(true)
    expect(holds('not not true')).toBe(true)
  })

  it('divides by zero as 0, so a rule never sees NaN or Infinity', () => {
    expect(holds('amount / acct_count_30d == 0', { amount: 10 })).toBe(true)
    expect(holds('0 / 0 == 0')).toBe(true)
    expect(holds('amount / acct_count_30d == 5', { amount: 10, acct_count_30d: 2 })).toBe(true)
  })

  it('reads features at the offset and text fields from the transaction, missing text as ""', () => {
    const batch = new Float32Array(FEATURE_NAMES.length * 2)
    batch.set(row({ amount: 99 }), FEATURE_NAMES.length)
    const rule = compileRule('amount == 99', [])
    expect([rule(tx, batch, 0, NO_LISTS), rule(tx, batch, FEATURE_NAMES.length, NO_LISTS)]).toEqual([false, true])
    const bare: TTransaction = { txId: 't2', timestamp: 0, amount: 1, currency: 'EUR', accountId: 'ab', merchantId: 'm' }
    expect(holds('country == "" and category == "" and channel == "" and currency == "EUR"', {}, bare)).toBe(true)
    expect(holds('card_bin == "ab"', {}, bare)).toBe(true)
    expect(holds('card_bin == "411122" and account_id == "4111222233334444" and merchant_id == "m-7"')).toBe(true)
  })

  it('tests membership in lists and in literal sets, negated too', () => {
    expect(holds('card_bin in list("bad_bins")')).toBe(true)
    expect(holds('card_bin not in list("bad_bins")')).toBe(false)
    expect(holds('country in ("RU", "IN")')).toBe(true)
    expect(holds('country not in ("RU", "NG")')).toBe(true)
    expect(holds('hour_of_day in (1, 2, 3)', { hour_of_day: 2 })).toBe(true)
    expect(holds('acct_hours_since_last in (-1)', { acct_hours_since_last: -1 })).toBe(true)
    // A list deleted after the rule was checked reads as empty.
    expect(compileRule('card_bin in list("bad_bins")', LIST_INFO)(tx, row({}), 0, NO_LISTS)).toBe(false)
  })

  it('runs the functions', () => {
    expect(holds('abs(-3) == 3 and min(2, 5) == 2 and max(2, 5) == 5')).toBe(true)
    expect(
      holds('count_last("1d") == 1 and count_last("7d") == 7 and count_last("30d") == 30', { acct_count_1d: 1, acct_count_7d: 7, acct_count_30d: 30 }),
    ).toBe(true)
    expect(holds('avg_amount_last("7d") == 70 and merchant_count_last("1d") == 4', { acct_avg_amount_7d: 70, merch_count_1d: 4 })).toBe(true)
    expect(holds('hours_since_last() == -1', { acct_hours_since_last: -1 })).toBe(true)
    expect(holds('lower(channel) == "ecommerce" and channel != "ecommerce"')).toBe(true)
    expect(holds('starts_with(account_id, "4111") and not starts_with(account_id, "5")')).toBe(true)
  })

  it('compares text by code unit and conditions with == and !=', () => {
    expect(holds('country < "JP" and country >= "IN"')).toBe(true)
    expect(holds('(amount > 1) == true', { amount: 2 })).toBe(true)
    expect(holds('(amount > 1) != (amount > 5)', { amount: 2 })).toBe(true)
  })

  it('refuses to compile a rule that does not check, with its errors', () => {
    expect(() => compileRule('amout > 1', [])).toThrow(RuleSetError)
  })
})

const rule = (name: string, expression: string, extra: Partial<RuleDefinition> = {}): RuleDefinition => ({
  name,
  expression,
  description: '',
  mode: 'ACTIVE',
  severityFloor: null,
  scoreBoost: null,
  ...extra,
})

describe('compileRuleSet', () => {
  it('reports fired ACTIVE rules in order, SHADOW hits apart, skips OFF, and sums boosts and takes the highest floor', () => {
    const set = compileRuleSet(
      {
        version: 4,
        rules: [
          rule('BIG', 'amount > 100', { scoreBoost: 0.1, severityFloor: 'MEDIUM' }),
          rule('TRIAL', 'amount > 10', { mode: 'SHADOW', scoreBoost: 0.5, severityFloor: 'CRITICAL' }),
          rule('NEVER', 'amount > 1', { mode: 'OFF', severityFloor: 'CRITICAL' }),
          rule('BAD_BIN', 'card_bin in list("bad_bins")', { scoreBoost: 0.2, severityFloor: 'HIGH' }),
          rule('TINY', 'amount < 1'),
        ],
      },
      LIST_INFO,
    )
    expect(set.version).toBe(4)
    expect(set.definitions.map((d) => d.name)).toEqual(['BIG', 'TRIAL', 'NEVER', 'BAD_BIN', 'TINY'])
    const outcome = set.evaluate(tx, row({ amount: 250 }), 0, LISTS)
    expect(outcome).toEqual({ fired: ['BIG', 'BAD_BIN'], shadow: ['TRIAL'], severityFloor: 'HIGH', scoreBoost: expect.closeTo(0.3, 12) })
    expect(set.evaluate(tx, row({ amount: 0.5 }), 0, NO_LISTS)).toEqual({ fired: ['TINY'], shadow: [], severityFloor: null, scoreBoost: 0 })
  })

  it('throws RuleSetError naming each rule that does not check', () => {
    let error: unknown
    try {
      compileRuleSet({ version: 1, rules: [rule('OK', 'amount > 1'), rule('TYPO', 'amout > 1'), rule('OFF_BUT_BROKEN', 'amount >', { mode: 'OFF' })] }, [])
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(RuleSetError)
    expect((error as RuleSetError).errors.map((e) => [e.rule, e.errors[0]?.column])).toEqual([
      ['TYPO', 1],
      ['OFF_BUT_BROKEN', 9],
    ])
  })
})
