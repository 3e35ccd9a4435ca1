import type { TTransaction } from '../../transactions/transaction-input.ts'
import {
  applyLabel,
  computeFeaturesInPlace,
  DEFAULT_FEATURE_CONFIG,
  FEATURE_NAMES,
  type FeatureConfig,
} from './compute-features.ts'
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
  // One Map lookup per id and row: the entry carries everything the row needs.
  private readonly accountEntries = new Map<string, AccountEntry>()
  private readonly merchantEntries = new Map<string, MerchantEntry>()

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
    let e = this.accountEntries.get(id)
    if (!e) {
      e = { state: newAccountState(), recent: [] }
      this.accountEntries.set(id, e)
      this.accounts.set(id, e.state)
    }
    return e
  }

  private merchant(id: string): MerchantEntry {
    let e = this.merchantEntries.get(id)
    if (!e) {
      e = { id, num: this.merchantEntries.size, state: newMerchantState() }
      this.merchantEntries.set(id, e)
      this.merchants.set(id, e.state)
    }
    return e
  }
}

/** Position of `num` in `recent`, searched from the newest end; -1 if absent. */
function recentIndex(recent: readonly number[], num: number): number {
  for (let i = recent.length - 1; i >= 0; i -= 1) if (recent[i] === num) return i
  return -1
}
