import type { TTransaction } from '../../transactions/transaction-input.ts'
import { addToDay, scanWindows, SCAN, type DayBuckets } from './day-buckets.ts'
import {
  BUCKET_COUNT,
  BUCKET_MAX_AMOUNT,
  cloneAccountState,
  cloneMerchantState,
  newAccountState,
  newMerchantState,
  type AccountState,
  type MerchantState,
} from './feature-state.ts'

/**
 * The model's inputs, in order. The order is part of every trained model: a model
 * whose manifest lists other names is refused at load time.
 */
export const FEATURE_NAMES = [
  'amount',
  'hour_of_day',
  'is_weekend',
  'is_night',
  'acct_count_1d',
  'acct_avg_amount_1d',
  'acct_count_7d',
  'acct_avg_amount_7d',
  'acct_count_30d',
  'acct_avg_amount_30d',
  'acct_mean_amount',
  'acct_amount_ratio',
  'acct_amount_zscore',
  'acct_hours_since_last',
  'acct_history_count',
  'acct_new_merchant',
  'acct_distinct_merchants',
  'acct_known_fraud_30d',
  'merch_count_1d',
  'merch_count_7d',
  'merch_count_30d',
  'merch_amount_ratio',
  'merch_risk_1d',
  'merch_risk_7d',
  'merch_risk_30d',
  'merch_known_fraud_30d',
  'merch_risk_exact_1d',
  'merch_risk_exact_7d',
  'merch_risk_exact_30d',
  'acct_amount_over_max_7d',
  'merch_hours_since_fraud',
] as const

export type FeatureName = (typeof FEATURE_NAMES)[number]

export const FEATURE_INDEX = Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, i])) as Record<FeatureName, number>

export interface FeatureConfig {
  /**
   * Labels are only used once older than this many days (the handbook's feedback
   * delay). Enforced by the state, so a caller may apply labels as soon as it has them.
   */
  labelDelayDays: number
  /** How many distinct recent merchants an account remembers for "new merchant". */
  recentMerchantsCap: number
  /** Cap on the running-mean weight: beyond it the mean forgets old amounts. */
  meanWeightCap: number
  /** Offset of local time from UTC, for hour of day, weekend and day boundaries. */
  timezoneOffsetMinutes: number
}

export const DEFAULT_FEATURE_CONFIG: FeatureConfig = {
  labelDelayDays: 7,
  recentMerchantsCap: 50,
  meanWeightCap: 100,
  timezoneOffsetMinutes: 0,
}

export interface FeatureResult {
  features: Float32Array
  account: AccountState
  merchant: MerchantState
}

const DAY_MS = 86_400_000
const HOUR_MS = 3_600_000
const MAX_WINDOW = 30
// Scratch buffers: features are computed one transaction at a time, synchronously.
const scan = new Float64Array(12)
const released = new Float64Array(3)
// Per-transaction bucket deltas, reused: two array literals per row were a measurable
// share of scoring's garbage.
const accountDelta = [1, 0, 0, 0]
const merchantDelta = [1, 0, 0]
const WINDOWS = [1, 7, 30] as const
/** Known frauds kept per state: plenty for a 30-day window, bounded for a compromised merchant. */
const FRAUD_TIMES_CAP = 256

export function retentionDays(config: FeatureConfig): number {
  return MAX_WINDOW + config.labelDelayDays + 2
}

export function dayOf(timestamp: number, config: FeatureConfig): number {
  return Math.floor((timestamp + config.timezoneOffsetMinutes * 60_000) / DAY_MS)
}

/**
 * Pure: features of `tx` and the states after it. Inputs are not modified (the server
 * may still hold them); `undefined` means a first-seen account or merchant.
 */
export function computeFeatures(
  tx: TTransaction,
  account: AccountState | undefined,
  merchant: MerchantState | undefined,
  config: FeatureConfig = DEFAULT_FEATURE_CONFIG,
): FeatureResult {
  const a = account ? cloneAccountState(account) : newAccountState()
  const m = merchant ? cloneMerchantState(merchant) : newMerchantState()
  const features = new Float32Array(FEATURE_NAMES.length)
  computeFeaturesInPlace(tx, a, m, config, features)
  return { features, account: a, merchant: m }
}

/**
 * As computeFeatures but updates the given states and writes the features into
 * `out` at `offset`: the streaming engine's fast path (no allocation per row).
 */
export function computeFeaturesInPlace(
  tx: TTransaction,
  a: AccountState,
  m: MerchantState,
  config: FeatureConfig,
  out: Float32Array,
  offset = 0,
  merchantId: string = tx.merchantId,
  /** Where merchantId is in a.recentMerchants, when the caller already knows (FeatureEngine). */
  knownSeenAt?: number,
): void {
  const local = tx.timestamp + config.timezoneOffsetMinutes * 60_000
  const day = Math.floor(local / DAY_MS)
  const hour = Math.floor((local - day * DAY_MS) / HOUR_MS)
  const weekday = (((day + 4) % 7) + 7) % 7 // 1970-01-01 was a Thursday (4)
  const retention = retentionDays(config)
  const amount = tx.amount
  let k = offset
  out[k++] = amount
  out[k++] = hour
  out[k++] = weekday === 0 || weekday === 6 ? 1 : 0
  out[k++] = hour < 6 ? 1 : 0

  // Windows include the current transaction, as in the handbook.
  const cutoff = day - config.labelDelayDays - 1
  const previousMax = maxAmountSince(a.buckets, day - 6)
  accountDelta[1] = amount
  addToDay(a.buckets, day, accountDelta, retention)
  scanWindows(a.buckets, day, cutoff, scan)
  for (let w = 0; w < 3; w += 1) {
    const count = scan[SCAN.count + w] as number
    out[k++] = count
    out[k++] = count > 0 ? (scan[SCAN.amount + w] as number) / count : 0
  }
  // History stats are taken before this transaction joins them.
  const sd = Math.sqrt(a.variance)
  out[k++] = a.mean
  out[k++] = a.weight > 0 ? amount / Math.max(a.mean, 1) : 1
  out[k++] = a.weight > 1 ? (amount - a.mean) / Math.max(sd, 0.1 * a.mean, 1) : 0
  out[k++] = a.lastTimestamp < 0 ? -1 : Math.max(0, (tx.timestamp - a.lastTimestamp) / HOUR_MS)
  out[k++] = a.total
  const seenAt = knownSeenAt ?? a.recentMerchants.lastIndexOf(merchantId)
  out[k++] = seenAt < 0 ? 1 : 0
  out[k++] = a.recentMerchants.length
  out[k++] = scan[SCAN.delayedFraud + 2] as number

  merchantDelta[1] = amount
  addToDay(m.buckets, day, merchantDelta, retention)
  scanWindows(m.buckets, day, cutoff, scan)
  for (let w = 0; w < 3; w += 1) out[k++] = scan[SCAN.count + w] as number
  const mCount30 = scan[SCAN.count + 2] as number
  out[k++] = mCount30 > 0 ? amount / Math.max((scan[SCAN.amount + 2] as number) / mCount30, 1) : 1
  // Risk: known frauds over all transactions in the delayed window. Unlabelled
  // transactions count as genuine, which is what sparse analyst labels mean.
  for (let w = 0; w < 3; w += 1) {
    const n = scan[SCAN.delayedCount + w] as number
    out[k++] = n > 0 ? (scan[SCAN.delayedFraud + w] as number) / n : 0
  }
  out[k++] = scan[SCAN.delayedFraud + 2] as number
  // Risk with labels released at their exact age (see MerchantState.fraudTimes) over
  // the transactions of the days those windows touch.
  const releasedAt = tx.timestamp - config.labelDelayDays * DAY_MS
  countDays(m.buckets, day - config.labelDelayDays, released)
  const times = m.fraudTimes ?? []
  let newestReleased = -1
  let f1 = 0
  let f7 = 0
  let f30 = 0
  for (let i = times.length - 1; i >= 0; i -= 1) {
    const t = times[i] as number
    if (t > releasedAt) continue
    if (newestReleased < 0) newestReleased = t
    const age = releasedAt - t
    if (age >= 30 * DAY_MS) break
    f30 += 1
    if (age < 7 * DAY_MS) f7 += 1
    if (age < DAY_MS) f1 += 1
  }
  out[k++] = (released[0] as number) > 0 ? f1 / (released[0] as number) : 0
  out[k++] = (released[1] as number) > 0 ? f7 / (released[1] as number) : 0
  out[k++] = (released[2] as number) > 0 ? f30 / (released[2] as number) : 0
  // A compromised card's inflated amount stands out against its own recent maximum.
  out[k++] = previousMax > 0 ? amount / previousMax : 1
  out[k++] = newestReleased < 0 ? -1 : (releasedAt - newestReleased) / HOUR_MS

  noteMaxAmount(a.buckets, day, amount)
  updateHistory(a, tx, config, seenAt, merchantId)
}

/** The account's largest amount on days >= `fromDay` so far (0 if none). */
function maxAmountSince(b: DayBuckets, fromDay: number): number {
  const max = b.columns[BUCKET_MAX_AMOUNT]
  if (!max) {
    // A state saved before the column existed: start it, unknown days as 0.
    b.columns[BUCKET_MAX_AMOUNT] = b.days.map(() => 0)
    return 0
  }
  let result = 0
  for (let i = b.days.length - 1; i >= 0 && (b.days[i] as number) >= fromDay; i -= 1) result = Math.max(result, max[i] as number)
  return result
}

function noteMaxAmount(b: DayBuckets, day: number, amount: number): void {
  const max = b.columns[BUCKET_MAX_AMOUNT]
  if (!max) return
  let i = b.days.length - 1
  while (i >= 0 && (b.days[i] as number) > day) i -= 1
  if (i >= 0 && b.days[i] === day && amount > (max[i] as number)) max[i] = amount
}

/** Transactions on the days [newestDay - w, newestDay], for w in WINDOWS, into `out`. */
function countDays(b: DayBuckets, newestDay: number, out: Float64Array): void {
  out.fill(0)
  const count = b.columns[BUCKET_COUNT] as number[]
  for (let i = b.days.length - 1; i >= 0; i -= 1) {
    const age = newestDay - (b.days[i] as number)
    if (age > WINDOWS[2]) break
    if (age < 0) continue
    const c = count[i] as number
    for (let w = 0; w < WINDOWS.length; w += 1) if (age <= (WINDOWS[w] as number)) out[w] = (out[w] as number) + c
  }
}

/** `seenAt`: where tx's merchant is in recentMerchants (-1 if absent), already looked up. */
function updateHistory(a: AccountState, tx: TTransaction, config: FeatureConfig, seenAt: number, merchantId: string): void {
  a.total += 1
  // West's weighted incremental mean/variance; capping the weight makes it an
  // exponential moving average once the account has enough history.
  a.weight = Math.min(a.weight + 1, config.meanWeightCap)
  const delta = tx.amount - a.mean
  a.mean += delta / a.weight
  a.variance = a.weight > 1 ? ((a.weight - 1) / a.weight) * (a.variance + (delta * delta) / a.weight) : 0
  if (tx.timestamp > a.lastTimestamp) a.lastTimestamp = tx.timestamp
  if (seenAt >= 0) a.recentMerchants.splice(seenAt, 1)
  a.recentMerchants.push(merchantId)
  if (a.recentMerchants.length > config.recentMerchantsCap) a.recentMerchants.shift()
}

/**
 * Records that the transaction at `timestamp` is now known fraud (or, with
 * `wasFraud`, that an earlier fraud label was withdrawn). Only frauds are counted:
 * genuine labels change nothing because unlabelled counts as genuine. Mutates and
 * returns the state; the delay is enforced when features read it.
 */
export function applyLabel<S extends AccountState | MerchantState>(
  state: S,
  timestamp: number,
  isFraud: boolean,
  config: FeatureConfig = DEFAULT_FEATURE_CONFIG,
  wasFraud = false,
): S {
  const delta = (isFraud ? 1 : 0) - (wasFraud ? 1 : 0)
  if (delta === 0) return state
  addToDay(state.buckets, dayOf(timestamp, config), [0, 0, delta, 0], retentionDays(config))
  const times = state.fraudTimes ?? []
  state.fraudTimes = times
  if (delta > 0) {
    let i = times.length
    while (i > 0 && (times[i - 1] as number) > timestamp) i -= 1
    times.splice(i, 0, timestamp)
    const oldest = (times[times.length - 1] as number) - retentionDays(config) * DAY_MS
    let drop = Math.max(0, times.length - FRAUD_TIMES_CAP)
    while (drop < times.length && (times[drop] as number) < oldest) drop += 1
    if (drop > 0) times.splice(0, drop)
  } else {
    const at = times.lastIndexOf(timestamp)
    if (at >= 0) times.splice(at, 1)
  }
  return state
}
