import { describe, expect, it } from 'vitest'
import { checkRule, checkRuleDefinition, checkRuleSet } from './check-rule.ts'
import { MAX_EXPRESSION_LENGTH } from './parse-rule.ts'
import type { ListInfo, RuleDefinition } from './rule-types.ts'

const LISTS: ListInfo[] = [
  { name: 'vip_accounts', kind: 'ALLOW', field: 'account_id' },
  { name: 'bad_bins', kind: 'DENY', field: 'card_bin' },
]

/** [expression, line, column, length, message (a substring)] */
const BAD: [string, number, number, number, string][] = [
  ['amount > 5 and', 1, 15, 1, 'Expected a number, a field, a string or "(" after "and", but the rule ends there'],
  ['amount >> 3', 1, 9, 1, 'Expected a number, a field, a string or "(" after ">", not ">"'],
  ['(amount > 1', 1, 12, 1, 'Expected ")" after "1"'],
  ['amount 5', 1, 8, 1, 'Expected a comparison such as >=, an arithmetic operator (+ - * /), "in", "and", "or" or the end of the rule after "amount", not "5"'],
  ['amount > 1\nand\n  or country == "IN"', 3, 3, 2, 'Expected a number, a field, a string or "(" after "and", not "or"'],
  ['country == "RU', 1, 12, 3, 'This string has no closing "'],
  // A string names itself with its own quotes, once.
  ['country in ("RU" "NG")', 1, 18, 4, 'Expected ")" or "," after "RU", not "NG"'],
  ['country in ()', 1, 13, 1, 'Expected a number or a string after "("'],
  ['account_id in list(vip_accounts)', 1, 20, 12, 'Expected a string after "("'],
  ['', 1, 1, 1, 'The rule is empty'],
  ['amout > 5', 1, 1, 5, 'Unknown field "amout" — did you mean "amount"?'],
  ['zzzzzz > 5', 1, 1, 6, 'Unknown field "zzzzzz"'],
  ['android > 1', 1, 1, 7, 'Unknown field "android"'],
  ['amount > 5 and country == 3', 1, 16, 12, 'Cannot compare text with a number: "country" is text, "3" is a number'],
  ['amount == "1000"', 1, 1, 16, 'Cannot compare a number with text'],
  ['amount + country > 1', 1, 10, 7, '"+" needs a number, but "country" is text'],
  ['not amount', 1, 5, 6, '"not" needs a condition (true or false), but "amount" is a number'],
  ['amount and true', 1, 1, 6, '"and" needs a condition'],
  ['true < false', 1, 1, 12, '"<" compares numbers or text, not conditions'],
  ['account_id in list("vip")', 1, 20, 5, 'Unknown list "vip" — did you mean "vip_accounts"?'],
  ['amount in list("vip_accounts")', 1, 1, 6, 'A list needs text, but "amount" is a number'],
  ['country in ("RU", 7)', 1, 19, 1, '7 is a number, but "country" is text'],
  ['count_last("1h") > 2', 1, 12, 4, 'count_last: no "1h" window; the engine keeps "1d", "7d", "30d"'],
  ['count_last(country) > 2', 1, 12, 7, 'the window must be written as text'],
  ['min(1) > 0', 1, 1, 6, 'min takes 2 arguments, not 1'],
  ['hours_since_last(1) > 0', 1, 1, 19, 'hours_since_last takes no arguments, not 1'],
  ['abs(country) > 0', 1, 5, 7, 'Argument 1 of abs needs a number, but "country" is text'],
  ['starts_with(account_id, 41) ', 1, 25, 2, 'Argument 2 of starts_with needs text'],
  ['fooo(1) > 2', 1, 1, 4, 'Unknown function "fooo"'],
  ['lowr(country) == "x"', 1, 1, 4, 'Unknown function "lowr" — did you mean "lower"?'],
  ['amount(1) > 2', 1, 1, 6, '"amount" is a field: write it without parentheses'],
  ['hours_since_last > 1', 1, 1, 16, '"hours_since_last" is a function: write hours_since_last(…)'],
  ['amount * 2', 1, 1, 10, 'The rule must be a condition (true or false), but it is a number: compare it, e.g. amount * 2 > 0'],
  ['country', 1, 1, 7, 'but it is text'],
  [`${'('.repeat(41)}1${')'.repeat(41)} > 0`, 1, 41, 1, 'Parentheses nest deeper than 40 levels'],
  [`amount > ${'1'.repeat(MAX_EXPRESSION_LENGTH)}`, 1, MAX_EXPRESSION_LENGTH + 1, 1, `longer than ${MAX_EXPRESSION_LENGTH} characters`],
]

describe('checkRule', () => {
  it.each(BAD)('refuses %j at line %i, column %i (length %i): %s', (expression, line, column, length, message) => {
    const errors = checkRule(expression, LISTS)
    expect(errors.length).toBeGreaterThan(0)
    const [first] = errors
    expect(first?.message).toContain(message)
    expect([first?.line, first?.column]).toEqual([line, column])
    expect(first?.length).toBe(length)
  })

  it('reports every type error in a rule, not only the first', () => {
    expect(checkRule('amout > 1 and contry == "IN"', LISTS).map((e) => e.message)).toEqual([
      'Unknown field "amout" — did you mean "amount"?',
      'Unknown field "contry" — did you mean "country"?',
    ])
  })

  it.each([
    'amount > 1000',
    'acct_amount_ratio > 1',
    'acct_amount_ratio >= 4 AND acct_history_count >= 5',
    'not (country in ("RU", "NG")) Or channel == "online"',
    'account_id not in list("vip_accounts") and card_bin in list("bad_bins")',
    'starts_with(lower(channel), "e") and avg_amount_last("7d") < amount / 2',
    'merchant_count_last("30d") - merchant_count_last("1d") > -5 and hours_since_last() != -1',
    'hour_of_day in (0, 1, 2, -1)',
    'true',
    '(is_night == 1) == true',
    'country == "say \\"hi\\""',
  ])('accepts %j', (expression) => {
    expect(checkRule(expression, LISTS)).toEqual([])
  })

  it('answers a very long chain of "not" with a result, never an exception', () => {
    const errors = checkRule(`${'not '.repeat(950)}true`, LISTS)
    expect(errors.every((e) => e.message === 'The rule nests too deeply to read')).toBe(true)
  })

  it('names the lists that exist when an unknown one is far from all of them', () => {
    expect(checkRule('account_id in list("zzz")', LISTS)[0]?.message).toBe('Unknown list "zzz" (lists: bad_bins, vip_accounts)')
    expect(checkRule('account_id in list("zzz")', [])[0]?.message).toBe('Unknown list "zzz" (no lists exist yet)')
  })
})

const definition = (overrides: Partial<RuleDefinition>): RuleDefinition => ({
  name: 'BIG_AMOUNT',
  expression: 'amount > 1000',
  description: 'Large amounts',
  mode: 'ACTIVE',
  severityFloor: null,
  scoreBoost: null,
  ...overrides,
})

describe('checkRuleDefinition and checkRuleSet', () => {
  it('checks the name, mode, floor and boost, at line 0 with the field named', () => {
    expect(checkRuleDefinition(definition({}), LISTS)).toEqual([])
    const messages = (overrides: Partial<RuleDefinition>): string[] => checkRuleDefinition(definition(overrides), LISTS).map((e) => `${e.line}:${e.message}`)
    expect(messages({ name: '1ST' })[0]).toMatch(/^0:name: "1ST" must start with a letter/)
    expect(messages({ name: 'HAS SPACE' })[0]).toMatch(/^0:name:/)
    expect(messages({ mode: 'ON' as RuleDefinition['mode'] })).toEqual(['0:mode: must be one of ACTIVE, SHADOW, OFF'])
    expect(messages({ severityFloor: 'SEVERE' as RuleDefinition['severityFloor'] })[0]).toMatch(/^0:severityFloor:/)
    expect(messages({ scoreBoost: 1.5 })).toEqual(['0:scoreBoost: must be null or a number from 0 to 1'])
    expect(messages({ scoreBoost: -0.1 })).toHaveLength(1)
    expect(messages({ scoreBoost: Number.NaN })).toHaveLength(1)
    expect(messages({ scoreBoost: 0.3, severityFloor: 'HIGH', mode: 'SHADOW' })).toEqual([])
    expect(messages({ expression: 'amount >' })[0]).toMatch(/^1:Expected a number/)
  })

  it('refuses a name used twice in one set, on the second', () => {
    const problems = checkRuleSet({ version: 3, rules: [definition({}), definition({ expression: 'amount > 2000' })] }, LISTS)
    expect(problems).toEqual([{ rule: 'BIG_AMOUNT', errors: [expect.objectContaining({ message: 'name: "BIG_AMOUNT" is used by another rule in this set' })] }])
  })
})
