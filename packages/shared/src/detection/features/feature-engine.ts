import type { TTransaction } from '../../transactions/transaction-input.ts'
import {
  applyLabel,
  computeFeaturesInPlace,
  DEFAULT_FEATURE_CONFIG,
  FEATURE_NAMES,
  type FeatureConfig,
} from './compute-features.ts'
import { newAccountState, newMerchantState, type AccountState, type MerchantState } from './feature-state.ts'

/**
 * In-memory feature state for streaming a file (CLI, desktop, benchmarks). Memory
 * grows with the number of distinct accounts and merchants, never with rows.
 */
export class FeatureEngine {
  readonly accounts = new Map<string, AccountState>()
  readonly merchants = new Map<string, MerchantState>()
  /**
   * One string object per merchant id: each row's id is a fresh string from the CSV,
   * and the accounts' recent-merchant lists compare by content unless the strings are
   * the same object (that comparison was a third of the feature time).
   */
  private readonly merchantIds = new Map<string, string>()

  constructor(readonly config: FeatureConfig = DEFAULT_FEATURE_CONFIG) {}

  /** Features of `tx` (written into `out` at `offset` when given), then remembers it. */
  process(tx: TTransaction, out: Float32Array = new Float32Array(FEATURE_NAMES.length), offset = 0): Float32Array {
    let merchantId = this.merchantIds.get(tx.merchantId)
    if (merchantId === undefined) {
      merchantId = tx.merchantId
      this.merchantIds.set(merchantId, merchantId)
    }
    computeFeaturesInPlace(tx, this.account(tx.accountId), this.merchant(merchantId), this.config, out, offset, merchantId)
    return out
  }

  /** Feeds a fraud label back (see applyLabel: the configured delay still applies). */
  label(tx: Pick<TTransaction, 'accountId' | 'merchantId' | 'timestamp'>, isFraud: boolean, wasFraud = false): void {
    applyLabel(this.account(tx.accountId), tx.timestamp, isFraud, this.config, wasFraud)
    applyLabel(this.merchant(tx.merchantId), tx.timestamp, isFraud, this.config, wasFraud)
  }

  private account(id: string): AccountState {
    let s = this.accounts.get(id)
    if (!s) {
      s = newAccountState()
      this.accounts.set(id, s)
    }
    return s
  }

  private merchant(id: string): MerchantState {
    let s = this.merchants.get(id)
    if (!s) {
      s = newMerchantState()
      this.merchants.set(id, s)
    }
    return s
  }
}
