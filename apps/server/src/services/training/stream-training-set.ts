import { DEFAULT_FEATURE_CONFIG, FEATURE_NAMES, FeatureEngine } from '@anomalyze/shared/engine'
import type pg from 'pg'
import type { Decision } from './decision.ts'
import { HISTORY_PAGE_ROWS, readHistoryPages } from './read-history-pages.ts'

/** Rows read from Postgres per page (keyset pagination on (timestamp, id)). */
export const TRAINING_PAGE_ROWS = HISTORY_PAGE_ROWS
/**
 * Most rows a training keeps as feature rows. Beyond it the history is sampled (see
 * streamTrainingSet): 600k rows x 31 features of float32 is about 75 MB, which with
 * the trees' own buffers stays well inside the worker's heap limit.
 */
export const MAX_TRAINING_ROWS = 600_000

/** The organisation's history as training reads it: feature rows in time order, with decisions. */
export interface StreamedTrainingSet {
  /** Kept rows x FEATURE_NAMES.length, in time order. */
  rows: Float32Array
  decisions: Decision[]
  timestamps: Float64Array
  accountIds: string[]
  frauds: number
  falsePositives: number
  /** Transactions replayed for the feature state (the whole history). */
  replayed: number
  /** Rows kept (equal to `replayed` unless the history was longer than the cap). */
  kept: number
  firstTimestamp: number | null
}

/**
 * Reads the organisation's transactions page by page in time order and turns each
 * into its feature row as it arrives (confirmed frauds fed back into the account and
 * merchant state, as they would have been live), so memory holds one page of
 * transactions, the feature state and the kept feature rows, never the whole history.
 *
 * Sampling beyond `maxRows`: every transaction is still replayed for the feature
 * state, but only these become training rows: every labelled one (a decision is the
 * scarcest signal there is), and the newest transactions up to the cap (the present
 * behaviour, which the holdout and the thresholds must reflect). Older unlabelled
 * rows are dropped: they count as genuine anyway, and the newest block holds plenty.
 */
export async function streamTrainingSet(
  client: pg.ClientBase,
  orgId: string,
  options: { maxRows?: number; pageRows?: number; onPage?: (replayed: number, total: number) => void } = {},
): Promise<StreamedTrainingSet> {
  const maxRows = options.maxRows ?? MAX_TRAINING_ROWS
  const pageRows = options.pageRows ?? TRAINING_PAGE_ROWS
  const counts = await client.query<{ total: number; labelled: number }>(
    `SELECT (SELECT count(*)::int FROM "Transaction" WHERE "orgId" = $1) AS total,
            (SELECT count(*)::int FROM "Anomaly" WHERE "orgId" = $1 AND status IN ('CONFIRMED_FRAUD', 'FALSE_POSITIVE')) AS labelled`,
    [orgId],
  )
  const total = counts.rows[0]?.total ?? 0
  const labelled = counts.rows[0]?.labelled ?? 0
  // Rows from this index on are kept whatever their label.
  const newestFrom = total <= maxRows ? 0 : total - Math.max(0, maxRows - labelled)
  const capacity = Math.min(total, maxRows + labelled)
  const width = FEATURE_NAMES.length
  const rows = new Float32Array(capacity * width)
  const timestamps = new Float64Array(capacity)
  const decisions: Decision[] = []
  const accountIds: string[] = []
  const scratch = new Float32Array(width)
  const engine = new FeatureEngine(DEFAULT_FEATURE_CONFIG)
  let frauds = 0
  let falsePositives = 0
  let replayed = 0
  let kept = 0
  let firstTimestamp: number | null = null
  // The history reader hands times over as epoch ms computed by Postgres, so a server
  // outside UTC trains on the same hours as ingestion scored.
  for await (const page of readHistoryPages(client, orgId, pageRows)) {
    for (const { tx, decision } of page) {
      firstTimestamp ??= tx.timestamp
      const keep = (decision !== null || replayed >= newestFrom) && kept < capacity
      engine.process(tx, keep ? rows.subarray(kept * width, (kept + 1) * width) : scratch)
      if (decision === 'CONFIRMED_FRAUD') engine.label(tx, true)
      replayed += 1
      if (!keep) continue
      timestamps[kept] = tx.timestamp
      decisions.push(decision)
      accountIds.push(tx.accountId)
      if (decision === 'CONFIRMED_FRAUD') frauds += 1
      if (decision === 'FALSE_POSITIVE') falsePositives += 1
      kept += 1
    }
    options.onPage?.(replayed, total)
  }
  return {
    rows: rows.subarray(0, kept * width),
    decisions,
    timestamps: timestamps.subarray(0, kept),
    accountIds,
    frauds,
    falsePositives,
    replayed,
    kept,
    firstTimestamp,
  }
}
