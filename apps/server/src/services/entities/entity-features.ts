import { dayOf, isAccountState, isMerchantState, type AccountState, type FeatureConfig, type MerchantState } from '@anomalyze/shared/engine'

/**
 * The entity view's "usual behaviour": the streaming feature state (the JSON ingestion
 * keeps per account and per merchant) read back as named values an analyst can read.
 *
 * Windows end on the day of the entity's latest transaction and include it, exactly
 * as compute-features.ts computed them for that transaction, so `acct_count_7d`,
 * `acct_avg_amount_30d`, `merch_risk_30d`... are the values the model saw when it
 * scored it. `acct_mean_amount`, `acct_amount_sd` and `acct_history_count` are the
 * running figures after that transaction (the model saw them just before it).
 * Pure: the state and the model's feature configuration in, values out.
 */
export interface NamedValue {
  name: string
  value: number
}

const WINDOWS = [1, 7, 30] as const
const COUNT = 0
const AMOUNT = 1
const FRAUD = 2
const MAX_AMOUNT = 3

/** Sums of a bucket column over the days (newestDay - w, newestDay], for each window w. */
function windowSums(days: number[], column: number[] | undefined, newestDay: number): number[] {
  const sums = WINDOWS.map(() => 0)
  if (!column) return sums
  for (let i = 0; i < days.length; i += 1) {
    const age = newestDay - (days[i] as number)
    if (age < 0) continue
    WINDOWS.forEach((w, k) => {
      if (age < w) sums[k] = (sums[k] as number) + (column[i] ?? 0)
    })
  }
  return sums
}

function maxOver(days: number[], column: number[] | undefined, fromDay: number, toDay: number): number {
  let max = 0
  if (!column) return max
  for (let i = 0; i < days.length; i += 1) {
    const d = days[i] as number
    if (d >= fromDay && d <= toDay) max = Math.max(max, column[i] ?? 0)
  }
  return max
}

/** The account's state as named values; [] when it has none (never seen, or an older shape). */
export function accountFeatureValues(state: unknown, config: FeatureConfig): NamedValue[] {
  if (!isAccountState(state) || state.total === 0 || state.lastTimestamp < 0) return []
  const s: AccountState = state
  const day = dayOf(s.lastTimestamp, config)
  // Known frauds count only once older than the label delay, as in the features.
  const cutoff = day - config.labelDelayDays - 1
  const counts = windowSums(s.buckets.days, s.buckets.columns[COUNT], day)
  const amounts = windowSums(s.buckets.days, s.buckets.columns[AMOUNT], day)
  const frauds = windowSums(s.buckets.days, s.buckets.columns[FRAUD], cutoff)
  const values: NamedValue[] = []
  WINDOWS.forEach((w, k) => {
    const count = counts[k] as number
    values.push({ name: `acct_count_${w}d`, value: count })
    values.push({ name: `acct_avg_amount_${w}d`, value: count > 0 ? (amounts[k] as number) / count : 0 })
  })
  values.push(
    { name: 'acct_max_amount_7d', value: maxOver(s.buckets.days, s.buckets.columns[MAX_AMOUNT], day - 6, day) },
    { name: 'acct_mean_amount', value: s.mean },
    { name: 'acct_amount_sd', value: Math.sqrt(Math.max(0, s.variance)) },
    { name: 'acct_history_count', value: s.total },
    { name: 'acct_distinct_merchants', value: s.recentMerchants.length },
    { name: 'acct_known_fraud_30d', value: frauds[2] as number },
  )
  return values
}

/** The merchant's state as named values, as of its newest day with transactions; [] without state. */
export function merchantFeatureValues(state: unknown, config: FeatureConfig): NamedValue[] {
  if (!isMerchantState(state)) return []
  const s: MerchantState = state
  const countColumn = s.buckets.columns[COUNT] ?? []
  let newest = -1
  for (let i = s.buckets.days.length - 1; i >= 0; i -= 1) {
    if ((countColumn[i] ?? 0) > 0) {
      newest = s.buckets.days[i] as number
      break
    }
  }
  if (newest < 0) return []
  const cutoff = newest - config.labelDelayDays - 1
  const counts = windowSums(s.buckets.days, countColumn, newest)
  const amounts = windowSums(s.buckets.days, s.buckets.columns[AMOUNT], newest)
  const delayedCounts = windowSums(s.buckets.days, countColumn, cutoff)
  const frauds = windowSums(s.buckets.days, s.buckets.columns[FRAUD], cutoff)
  const count30 = counts[2] as number
  const delayed30 = delayedCounts[2] as number
  return [
    ...WINDOWS.map((w, k) => ({ name: `merch_count_${w}d`, value: counts[k] as number })),
    { name: 'merch_avg_amount_30d', value: count30 > 0 ? (amounts[2] as number) / count30 : 0 },
    { name: 'merch_known_fraud_30d', value: frauds[2] as number },
    { name: 'merch_risk_30d', value: delayed30 > 0 ? (frauds[2] as number) / delayed30 : 0 },
  ]
}
