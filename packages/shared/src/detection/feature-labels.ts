import { FEATURE_INDEX, type FeatureName } from './features/compute-features.ts'

/**
 * An analyst's words for every model feature: a short label (a chart axis, a table
 * column) and a phrase with the row's value in its own unit (money, a count, hours or
 * days, a percentage, yes/no), next to what is usual when the row says so. Explanations
 * must never show `acct_history_count 38.00`: a test walks every FEATURE_NAMES entry.
 */
export interface FeatureWords {
  label: string
  /** The phrase for this row's value; `norm` is the comparable usual value or null. */
  phrase: (value: number, norm: number | null, money: Money) => string
}

/** Formats an amount of money: the currency code only when the caller knows it. */
export type Money = (amount: number) => string

export function moneyFormatter(currency?: string | null): Money {
  // XXX is ISO 4217's "no currency" (a file without one): the amount is shown bare.
  const code = typeof currency === 'string' && /^[A-Z]{3}$/.test(currency) && currency !== 'XXX' ? ` ${currency}` : ''
  return (amount) => `${amount.toFixed(2)}${code}`
}

const count = (n: number, one: string, many = `${one}s`): string => {
  const whole = Math.round(n)
  return `${whole} ${whole === 1 ? one : many}`
}
const usualCount = (norm: number | null): string => (norm === null ? '' : ` (usually ${norm.toFixed(1)})`)
const usualMoney = (norm: number | null, money: Money): string => (norm === null ? '' : ` (usually ${money(norm)})`)
const ratio = (v: number): string => `${v.toFixed(1)}×`
/** Fractions as percentages; small but non-zero rates keep a decimal so they do not read as none. */
const percent = (v: number): string => {
  const p = v * 100
  return `${p !== 0 && Math.abs(p) < 10 ? p.toFixed(1) : p.toFixed(0)}%`
}
/** Hours as hours below two days, as days beyond. */
const duration = (hours: number): string => (hours < 48 ? `${hours.toFixed(1)} h` : `${(hours / 24).toFixed(1)} days`)
const windowName = { 1: '1 day', 7: '7 days', 30: '30 days' } as const

function accountCount(days: 1 | 7 | 30): FeatureWords {
  return {
    label: `Account transactions, ${windowName[days]}`,
    phrase: (v, norm) => `${count(v, 'transaction')} on this account in ${windowName[days]}${usualCount(norm)}`,
  }
}
function accountAverage(days: 1 | 7 | 30): FeatureWords {
  return {
    label: `Account average amount, ${windowName[days]}`,
    phrase: (v, norm, money) => `account's average amount over ${windowName[days]} ${money(v)}${usualMoney(norm, money)}`,
  }
}
function merchantCount(days: 1 | 7 | 30): FeatureWords {
  return {
    label: `Merchant transactions, ${windowName[days]}`,
    phrase: (v, norm) => `${count(v, 'transaction')} at this merchant in ${windowName[days]}${usualCount(norm)}`,
  }
}
function merchantRisk(days: 1 | 7 | 30, exact: boolean): FeatureWords {
  // Both kinds count only labels older than the feedback delay; "exact" ages each label from its own time.
  const how = exact ? 'exact label age' : 'labels past the delay'
  return {
    label: `Merchant fraud rate, ${windowName[days]}${exact ? ' (exact age)' : ''}`,
    phrase: (v) => `${percent(v)} known fraud at this merchant over ${windowName[days]} (${how})`,
  }
}

export const FEATURE_WORDS: Record<FeatureName, FeatureWords> = {
  amount: { label: 'Amount', phrase: (v, norm, money) => `amount ${money(v)}${usualMoney(norm, money)}` },
  hour_of_day: { label: 'Hour of day', phrase: (v) => `at ${String(Math.round(v)).padStart(2, '0')}:00 local time` },
  is_weekend: { label: 'Weekend', phrase: (v) => (v === 1 ? 'on a weekend' : 'on a weekday') },
  is_night: { label: 'Night time', phrase: (v) => (v === 1 ? 'at night (before 06:00)' : 'in the daytime') },
  acct_count_1d: accountCount(1),
  acct_avg_amount_1d: accountAverage(1),
  acct_count_7d: accountCount(7),
  acct_avg_amount_7d: accountAverage(7),
  acct_count_30d: accountCount(30),
  acct_avg_amount_30d: accountAverage(30),
  acct_mean_amount: { label: "Account's usual amount", phrase: (v, _norm, money) => `account's usual amount ${money(v)}` },
  acct_amount_ratio: { label: "Amount vs account's usual", phrase: (v) => `amount ${ratio(v)} the account's usual` },
  acct_amount_zscore: {
    label: "Amount's distance from usual",
    phrase: (v) => `amount ${Math.abs(v).toFixed(1)} standard deviations ${v < 0 ? 'below' : 'above'} the account's usual`,
  },
  acct_hours_since_last: {
    label: 'Time since previous transaction',
    phrase: (v, norm) =>
      v < 0
        ? 'first transaction of this account'
        : `${duration(v)} since the account's previous transaction${norm === null ? '' : ` (usually ${duration(norm)})`}`,
  },
  acct_history_count: { label: 'Account history', phrase: (v) => `${count(v, 'earlier transaction')} on this account` },
  acct_new_merchant: { label: 'New merchant', phrase: (v) => (v === 1 ? 'first purchase at this merchant' : 'a merchant this account already uses') },
  acct_distinct_merchants: { label: 'Merchants the account uses', phrase: (v) => `account recently used ${count(v, 'merchant')}` },
  acct_known_fraud_30d: { label: 'Confirmed fraud on account', phrase: (v) => `${count(v, 'confirmed fraud')} on this account in 30 days` },
  merch_count_1d: merchantCount(1),
  merch_count_7d: merchantCount(7),
  merch_count_30d: merchantCount(30),
  merch_amount_ratio: { label: "Amount vs merchant's usual", phrase: (v) => `amount ${ratio(v)} this merchant's average over 30 days` },
  merch_risk_1d: merchantRisk(1, false),
  merch_risk_7d: merchantRisk(7, false),
  merch_risk_30d: merchantRisk(30, false),
  merch_known_fraud_30d: { label: 'Confirmed fraud at merchant', phrase: (v) => `${count(v, 'confirmed fraud')} at this merchant in 30 days` },
  merch_risk_exact_1d: merchantRisk(1, true),
  merch_risk_exact_7d: merchantRisk(7, true),
  merch_risk_exact_30d: merchantRisk(30, true),
  acct_amount_over_max_7d: { label: "Amount vs account's 7-day largest", phrase: (v) => `amount ${ratio(v)} the account's largest in 7 days` },
  merch_hours_since_fraud: {
    label: 'Time since fraud at merchant',
    phrase: (v) => (v < 0 ? 'no known fraud at this merchant' : `last known fraud at this merchant ${duration(v)} before the label delay`),
  },
}

type Norm = (f: (n: FeatureName) => number) => number | null

// For account- and merchant-relative features, the comparable "usual" value, derived
// from other features of the same row (so explanations need no extra state).
const NORMS: Partial<Record<FeatureName, Norm>> = {
  amount: (f) => (f('acct_history_count') > 0 ? f('acct_mean_amount') : null),
  acct_count_1d: (f) => f('acct_count_30d') / 30,
  acct_count_7d: (f) => (f('acct_count_30d') * 7) / 30,
  acct_avg_amount_1d: (f) => f('acct_avg_amount_30d'),
  acct_avg_amount_7d: (f) => f('acct_avg_amount_30d'),
  acct_hours_since_last: (f) => (f('acct_count_30d') > 1 ? (30 * 24) / f('acct_count_30d') : null),
  merch_count_1d: (f) => f('merch_count_30d') / 30,
  merch_count_7d: (f) => (f('merch_count_30d') * 7) / 30,
}

/** What is usual for `name` on this row, or null (a first transaction has no account norm). */
export function normOf(name: FeatureName, row: ArrayLike<number>): number | null {
  const f = (n: FeatureName): number => row[FEATURE_INDEX[n]] ?? 0
  if (name.startsWith('acct_') && f('acct_history_count') === 0) return null
  return NORMS[name]?.(f) ?? null
}
