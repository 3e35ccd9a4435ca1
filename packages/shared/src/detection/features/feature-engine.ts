import type { TTransaction } from '../../transactions/transaction-input.ts'
import { applyLabel, computeFeaturesInPlace, DEFAULT_FEATURE_CONFIG, FEATURE_NAMES, type FeatureConfig } from './compute-features.ts'
import { newAccountState, newMerchantState, type AccountState, type MerchantState } from './feature-state.ts'

interface AccountEntry {
  state: AccountState
  /**
   * state.recentMerchants as merchant numbers, kept in step with it: searching small
   * integers is several times cheaper than comparing id strings, and that search ran
   * on every row (a sixth of the feature time).
   */
  recent: number[]
}

interface MerchantEntry {
  /** The one string object used for this merchant id in every account's list. */
  id: string
  num: number
  state: MerchantState
}

/**
 * In-memory feature state for streaming a file (CLI, desktop, benchmarks). Memory
 * grows with the number of distinct accounts and merchants, never with rows.
 */
export class FeatureEngine {
  /** Every account's state by id (the entries below hold the same objects). */
  readonly accounts = new Map<string, AccountState>()
  readonly merchants = new Map<string, MerchantState>()
  // One lookup per id and row: the entry carries everything the row needs. Numeric
  // ids (card and terminal numbers, common in exports) index an array instead of
  // hashing a fresh string into a Map: the two lookups were an eighth of scoring's
  // main-thread time.
  private readonly accountEntries = new Map<string, AccountEntry>()
  private readonly merchantEntries = new Map<string, MerchantEntry>()
  private readonly accountsByNumber: (AccountEntry | undefined)[] = []
  private readonly merchantsByNumber: (MerchantEntry | undefined)[] = []

  constructor(readonly config: FeatureConfig = DEFAULT_FEATURE_CONFIG) {}

  /** Features of `tx` (written into `out` at `offset` when given), then remembers it. */
  process(tx: TTransaction, out: Float32Array = new Float32Array(FEATURE_NAMES.length), offset = 0): Float32Array {
    const m = this.merchant(tx.merchantId)
    const a = this.account(tx.accountId)
    if (a.recent.length !== a.state.recentMerchants.length) {
      // Only this engine edits its states' lists; if someone else did, start again from the list.
      a.recent = a.state.recentMerchants.map((id) => this.merchant(id).num)
    }
    const seenAt = recentIndex(a.recent, m.num)
    computeFeaturesInPlace(tx, a.state, m.state, this.config, out, offset, m.id, seenAt)
    // Mirror updateHistory's edit of recentMerchants.
    const recent = a.recent
    if (seenAt >= 0) recent.splice(seenAt, 1)
    recent.push(m.num)
    if (recent.length > this.config.recentMerchantsCap) recent.shift()
    return out
  }

  /** Feeds a fraud label back (see applyLabel: the configured delay still applies). */
  label(tx: Pick<TTransaction, 'accountId' | 'merchantId' | 'timestamp'>, isFraud: boolean, wasFraud = false): void {
    applyLabel(this.account(tx.accountId).state, tx.timestamp, isFraud, this.config, wasFraud)
    applyLabel(this.merchant(tx.merchantId).state, tx.timestamp, isFraud, this.config, wasFraud)
  }

  private account(id: string): AccountEntry {
    const n = smallNumber(id)
    let e = n < 0 ? this.accountEntries.get(id) : this.accountsByNumber[n]
    if (!e) {
      e = { state: newAccountState(), recent: [] }
      if (n < 0) this.accountEntries.set(id, e)
      else setAt(this.accountsByNumber, n, e)
      this.accounts.set(id, e.state)
    }
    return e
  }

  private merchant(id: string): MerchantEntry {
    const n = smallNumber(id)
    let e = n < 0 ? this.merchantEntries.get(id) : this.merchantsByNumber[n]
    if (!e) {
      e = { id, num: this.merchants.size, state: newMerchantState() }
      if (n < 0) this.merchantEntries.set(id, e)
      else setAt(this.merchantsByNumber, n, e)
      this.merchants.set(id, e.state)
    }
    return e
  }
}

/**
 * Stores at index `n`, filling the gap first: a write far past the end would turn the
 * array into a hash table (V8's dictionary elements), losing the point of indexing.
 */
function setAt<T>(array: (T | undefined)[], n: number, value: T): void {
  while (array.length < n) array.push(undefined)
  array[n] = value
}

/** Ids below this that are plain decimal numbers are looked up by index. */
const SMALL_NUMBER_LIMIT = 1 << 20

/**
 * The id as an array index when it is a plain decimal number below SMALL_NUMBER_LIMIT
 * written without leading zeros (so "042" and "42" stay two ids), otherwise -1.
 */
function smallNumber(id: string): number {
  const length = id.length
  if (length === 0 || length > 7 || (length > 1 && id.charCodeAt(0) === 48)) return -1
  let n = 0
  for (let i = 0; i < length; i += 1) {
    const d = id.charCodeAt(i) - 48
    if (d < 0 || d > 9) return -1
    n = n * 10 + d
  }
  return n < SMALL_NUMBER_LIMIT ? n : -1
}

/** Position of `num` in `recent`, searched from the newest end; -1 if absent. */
function recentIndex(recent: readonly number[], num: number): number {
  for (let i = recent.length - 1; i >= 0; i -= 1) if (recent[i] === num) return i
  return -1
}
