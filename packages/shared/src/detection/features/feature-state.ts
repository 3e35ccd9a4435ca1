import { cloneBuckets, emptyBuckets, type DayBuckets } from './day-buckets.ts'

/**
 * Everything the features remember about one account (card/customer). Plain JSON,
 * bounded in size whatever the account's history: the server keeps one row of it per
 * account and loads a whole batch's worth in one query.
 */
export interface AccountState {
  version: 1
  /**
   * Columns: [count, amountSum, knownFrauds, maxAmount]. States saved before the
   * fourth column existed gain it (as zeros) on their next transaction.
   */
  buckets: DayBuckets
  /** Lifetime transaction count. */
  total: number
  /** Weighted running mean and variance of the amount (weight capped: see config). */
  weight: number
  mean: number
  variance: number
  /** Epoch ms of the newest transaction seen, -1 if none. */
  lastTimestamp: number
  /** Most recently used distinct merchants, newest last, capped. */
  recentMerchants: string[]
  /** See MerchantState.fraudTimes. */
  fraudTimes?: number[]
}

/** What the features remember about one merchant/terminal. */
export interface MerchantState {
  version: 1
  /** Columns: [count, amountSum, knownFrauds]. */
  buckets: DayBuckets
  /**
   * Epoch ms of the known frauds, ascending, bounded (retention and a cap). Day
   * buckets can only release a label at the next day boundary after the delay; the
   * exact times release it the moment it is older than the delay, which is when the
   * handbook's protocol allows it. Absent in states saved before it existed.
   */
  fraudTimes?: number[]
}

export const BUCKET_COUNT = 0
export const BUCKET_AMOUNT = 1
export const BUCKET_FRAUD = 2
export const BUCKET_MAX_AMOUNT = 3

export function newAccountState(): AccountState {
  return {
    version: 1,
    buckets: emptyBuckets(4),
    total: 0,
    weight: 0,
    mean: 0,
    variance: 0,
    lastTimestamp: -1,
    recentMerchants: [],
    fraudTimes: [],
  }
}

export function newMerchantState(): MerchantState {
  return { version: 1, buckets: emptyBuckets(3), fraudTimes: [] }
}

export function cloneAccountState(s: AccountState): AccountState {
  return { ...s, buckets: cloneBuckets(s.buckets), recentMerchants: s.recentMerchants.slice(), fraudTimes: s.fraudTimes?.slice() ?? [] }
}

export function cloneMerchantState(s: MerchantState): MerchantState {
  return { version: 1, buckets: cloneBuckets(s.buckets), fraudTimes: s.fraudTimes?.slice() ?? [] }
}

/** Narrowing guard for JSON read back from storage (an older shape starts afresh). */
export function isAccountState(value: unknown): value is AccountState {
  const v = value as Partial<AccountState> | null
  return typeof v === 'object' && v !== null && v.version === 1 && Array.isArray(v.buckets?.days) && Array.isArray(v.recentMerchants)
}

export function isMerchantState(value: unknown): value is MerchantState {
  const v = value as Partial<MerchantState> | null
  return typeof v === 'object' && v !== null && v.version === 1 && Array.isArray(v.buckets?.days)
}
