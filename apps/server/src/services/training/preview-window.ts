import { FEATURE_NAMES, FeatureEngine, type FeatureConfig } from '@anomalyze/shared/engine'
import type { Decision } from './decision.ts'
import type { HistoryRow } from './read-history-pages.ts'

/** The preview scores the transactions of the last PREVIEW_DAYS before the organisation's latest one... */
export const PREVIEW_DAYS = 30
/** ...and at most this many of them (the most recent), so a large account answers in seconds. */
export const PREVIEW_MAX_ROWS = 20_000

const DAY_MS = 86_400_000

/** The window's transactions in time order, with their features under each configuration. */
export interface PreviewWindow {
  /** One matrix (rows x FEATURE_NAMES.length) per configuration asked for, in the same order. */
  features: Float32Array[]
  txIds: string[]
  merchantIds: string[]
  accountIds: string[]
  currencies: string[]
  amounts: Float64Array
  timestamps: Float64Array
  decisions: Decision[]
  /** What limited the window: the day span, or the row cap (then it covers fewer days). */
  boundedBy: 'days' | 'rows'
  /** Transactions replayed for the feature state (the whole history). */
  replayed: number
}

/**
 * Streams the history through one feature engine per configuration, as training and
 * scoring compute features (every transaction replayed in time order, confirmed
 * frauds fed back into the account and merchant state), and keeps only the last
 * `maxRows` rows in a ring: memory is the engines' state and the ring, whatever the
 * history's length. The window is then the ring's rows after the latest time minus
 * `days`; when the row just evicted from the ring was inside that span too, the cap
 * bounded the window ('rows'), else the days did.
 */
export async function collectPreviewWindow(
  pages: AsyncIterable<readonly HistoryRow[]>,
  configs: readonly FeatureConfig[],
  options: { maxRows?: number; days?: number; onPage?: (replayed: number) => void } = {},
): Promise<PreviewWindow> {
  const capacity = options.maxRows ?? PREVIEW_MAX_ROWS
  const width = FEATURE_NAMES.length
  // One engine per configuration, each writing into its own ring of feature rows.
  const lanes = configs.map((config) => ({ engine: new FeatureEngine(config), features: new Float32Array(capacity * width) }))
  const ring = new Array<HistoryRow | undefined>(capacity)
  let replayed = 0
  let lastEvicted: number | null = null
  for await (const page of pages) {
    for (const row of page) {
      const slot = replayed % capacity
      const evicted = ring[slot]
      if (evicted) lastEvicted = evicted.tx.timestamp
      ring[slot] = row
      for (const { engine, features } of lanes) {
        engine.process(row.tx, features, slot * width)
        if (row.decision === 'CONFIRMED_FRAUD') engine.label(row.tx, true)
      }
      replayed += 1
    }
    options.onPage?.(replayed)
  }

  const kept = Math.min(replayed, capacity)
  const oldest = replayed > capacity ? replayed % capacity : 0
  const at = (i: number): HistoryRow => ring[(oldest + i) % capacity] as HistoryRow
  const latest = kept > 0 ? at(kept - 1).tx.timestamp : 0
  const from = latest - (options.days ?? PREVIEW_DAYS) * DAY_MS
  const boundedBy = lastEvicted !== null && lastEvicted > from ? 'rows' : 'days'
  // The ring is in time order from `oldest`: the window is its tail after `from`.
  let skip = 0
  while (skip < kept && at(skip).tx.timestamp <= from) skip += 1
  const n = kept - skip
  const rows = Array.from({ length: n }, (_, i) => at(skip + i))
  return {
    features: lanes.map(({ features }) => unroll(features, capacity, width, (oldest + skip) % capacity, n)),
    txIds: rows.map((r) => r.tx.txId),
    merchantIds: rows.map((r) => r.tx.merchantId),
    accountIds: rows.map((r) => r.tx.accountId),
    currencies: rows.map((r) => r.tx.currency),
    amounts: Float64Array.from(rows, (r) => r.tx.amount),
    timestamps: Float64Array.from(rows, (r) => r.tx.timestamp),
    decisions: rows.map((r) => r.decision),
    boundedBy,
    replayed,
  }
}

/** `count` rows of a ring matrix from slot `first` on (wrapping), as one contiguous matrix. */
function unroll(matrix: Float32Array, capacity: number, width: number, first: number, count: number): Float32Array {
  const out = new Float32Array(count * width)
  const head = Math.min(count, capacity - first)
  out.set(matrix.subarray(first * width, (first + head) * width))
  out.set(matrix.subarray(0, (count - head) * width), head * width)
  return out
}
