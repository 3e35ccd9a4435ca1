import { FEATURE_INDEX, FEATURE_NAMES, type FeatureName } from '../detection/features/compute-features.ts'
import type { TTransaction } from '../transactions/transaction-input.ts'

export type FieldType = 'number' | 'text' | 'bool'

export interface FieldInfo {
  name: string
  type: FieldType
  /** What the field holds, in analyst words (the editor lists it). */
  description: string
}

export interface FunctionInfo {
  name: string
  signature: string
  description: string
}

/** The transaction's text fields, read from the transaction itself; a missing value reads as "". */
export const TEXT_FIELDS = {
  currency: { read: (tx: TTransaction) => tx.currency, description: 'Currency code, e.g. "INR"' },
  account_id: { read: (tx: TTransaction) => tx.accountId, description: 'The paying account' },
  merchant_id: { read: (tx: TTransaction) => tx.merchantId, description: 'The merchant or terminal paid' },
  category: { read: (tx: TTransaction) => tx.category ?? '', description: 'Merchant category ("" when not sent)' },
  country: { read: (tx: TTransaction) => tx.country ?? '', description: 'Country code, e.g. "IN" ("" when not sent)' },
  channel: { read: (tx: TTransaction) => tx.channel ?? '', description: 'Channel, e.g. "online" or "pos" ("" when not sent)' },
  card_bin: { read: (tx: TTransaction) => tx.accountId.slice(0, 6), description: 'First 6 characters of the account (the card BIN for card numbers)' },
} as const satisfies Record<string, { read: (tx: TTransaction) => string; description: string }>

export type TextFieldName = keyof typeof TEXT_FIELDS

const FEATURE_DESCRIPTIONS: Record<FeatureName, string> = {
  amount: 'Amount of the transaction',
  hour_of_day: 'Hour of the day, 0 to 23 (local time)',
  is_weekend: '1 on Saturday and Sunday, else 0',
  is_night: '1 from midnight to 6 am (local time), else 0',
  acct_count_1d: "Account's transactions in the last day (this one included)",
  acct_avg_amount_1d: "Account's average amount over the last day",
  acct_count_7d: "Account's transactions in the last 7 days",
  acct_avg_amount_7d: "Account's average amount over the last 7 days",
  acct_count_30d: "Account's transactions in the last 30 days",
  acct_avg_amount_30d: "Account's average amount over the last 30 days",
  acct_mean_amount: "Account's usual amount (running mean before this transaction)",
  acct_amount_ratio: "Amount divided by the account's usual amount",
  acct_amount_zscore: "Standard deviations between the amount and the account's usual",
  acct_hours_since_last: "Hours since the account's previous transaction (-1 for its first)",
  acct_history_count: 'Transactions the account made before this one',
  acct_new_merchant: '1 when the account has not paid this merchant recently, else 0',
  acct_distinct_merchants: 'Distinct merchants the account paid recently',
  acct_known_fraud_30d: 'Confirmed frauds on the account in the last 30 days (labels older than the label delay)',
  merch_count_1d: "Merchant's transactions in the last day",
  merch_count_7d: "Merchant's transactions in the last 7 days",
  merch_count_30d: "Merchant's transactions in the last 30 days",
  merch_amount_ratio: "Amount divided by the merchant's usual amount",
  merch_risk_1d: 'Share of known fraud at the merchant over 1 day (labels older than the delay)',
  merch_risk_7d: 'Share of known fraud at the merchant over 7 days (labels older than the delay)',
  merch_risk_30d: 'Share of known fraud at the merchant over 30 days (labels older than the delay)',
  merch_known_fraud_30d: 'Confirmed frauds at the merchant in the last 30 days (labels older than the delay)',
  merch_risk_exact_1d: 'Share of known fraud at the merchant over exactly the last day',
  merch_risk_exact_7d: 'Share of known fraud at the merchant over exactly the last 7 days',
  merch_risk_exact_30d: 'Share of known fraud at the merchant over exactly the last 30 days',
  acct_amount_over_max_7d: "Amount divided by the account's largest amount in 7 days",
  merch_hours_since_fraud: 'Hours since the last known fraud at the merchant (-1 when none)',
}

/** Everything a rule can read: the transaction's text fields and every feature the engine computes (numbers). */
export const RULE_FIELDS: readonly FieldInfo[] = [
  ...FEATURE_NAMES.map((name): FieldInfo => ({ name, type: 'number', description: FEATURE_DESCRIPTIONS[name] })),
  ...Object.entries(TEXT_FIELDS).map(([name, field]): FieldInfo => ({ name, type: 'text', description: field.description })),
]

export const FIELD_BY_NAME: ReadonlyMap<string, FieldInfo> = new Map(RULE_FIELDS.map((f) => [f.name, f]))

export function isFeatureName(name: string): name is FeatureName {
  return Object.hasOwn(FEATURE_INDEX, name)
}

export function isTextFieldName(name: string): name is TextFieldName {
  return Object.hasOwn(TEXT_FIELDS, name)
}

/** The windows the feature engine keeps per account and merchant: a window helper answers only these. */
export const RULE_WINDOWS = ['1d', '7d', '30d'] as const
export type RuleWindow = (typeof RULE_WINDOWS)[number]

export const RULE_FUNCTIONS: readonly FunctionInfo[] = [
  { name: 'abs', signature: 'abs(number) -> number', description: 'The number without its sign' },
  { name: 'min', signature: 'min(number, number) -> number', description: 'The smaller of two numbers' },
  { name: 'max', signature: 'max(number, number) -> number', description: 'The larger of two numbers' },
  {
    name: 'count_last',
    signature: 'count_last("1d" | "7d" | "30d") -> number',
    description: "The account's transactions in the window (acct_count_1d, _7d, _30d)",
  },
  {
    name: 'avg_amount_last',
    signature: 'avg_amount_last("1d" | "7d" | "30d") -> number',
    description: "The account's average amount in the window (acct_avg_amount_1d, _7d, _30d)",
  },
  {
    name: 'merchant_count_last',
    signature: 'merchant_count_last("1d" | "7d" | "30d") -> number',
    description: "The merchant's transactions in the window (merch_count_1d, _7d, _30d)",
  },
  { name: 'hours_since_last', signature: 'hours_since_last() -> number', description: "Hours since the account's previous transaction (-1 for its first)" },
  { name: 'lower', signature: 'lower(text) -> text', description: 'The text in lower case, e.g. lower(channel) == "online"' },
  {
    name: 'starts_with',
    signature: 'starts_with(text, text) -> condition',
    description: 'Whether the text starts with the prefix, e.g. starts_with(account_id, "4111")',
  },
]
