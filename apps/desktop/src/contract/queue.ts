import type { AnomalyStatus, Severity, TAnomalyRow, TAnomalyTransaction } from '@anomalyze/shared'
import type { DecisionConflict } from './decisions.ts'

/**
 * Shapes the renderer and the core exchange about the triage queue. Types only, and
 * nothing platform-specific: both the Node core and the browser renderer import it.
 */
export const QUEUE_SORTS = ['severity', 'score', 'time'] as const
export type QueueSort = (typeof QUEUE_SORTS)[number]
/** The most queue rows one core call returns (queue.rows keys, queue.head size). */
export const MAX_ROWS_PER_CALL = 1_000

export interface QueueFilters {
  severities?: Severity[]
  statuses?: AnomalyStatus[]
  rule?: string
  amountMin?: number
  amountMax?: number
  /** Epoch ms, inclusive. */
  from?: number
  /** Epoch ms, exclusive. */
  to?: number
  accountId?: string
  text?: string
  /** null or absent: the synced server queue; a batch id: one offline-scored CSV. */
  batchId?: string | null
  /** Only the rows the last model change moved (see MovedDirection). */
  moved?: boolean
  /** Only the alerts where a colleague's decision, made first, overrules this analyst's (see DecisionConflict). */
  overruled?: boolean
}

/**
 * How re-scoring with a new active model moved a row: its severity went up, down,
 * or down from an alert (MEDIUM or above) to below the alert threshold.
 */
export const MOVED_DIRECTIONS = ['up', 'down', 'dropped'] as const
export type MovedDirection = (typeof MOVED_DIRECTIONS)[number]

export interface QueueQuery {
  filters: QueueFilters
  sort: QueueSort
}

/**
 * A frozen ordering of the rows matching a query: small integer keys, so 100,000
 * rows cost well under a megabyte. Rows keep their place while the analyst labels
 * them; the list changes only when it is asked for again.
 */
export interface QueueSnapshot {
  keys: number[]
  total: number
}

/**
 * The first screen of a query: how many rows match, the first `size` keys of its
 * order and their rows. Milliseconds where the whole snapshot takes hundreds at
 * 100,000 rows, so the queue paints from this while the snapshot loads.
 */
export interface QueueHead {
  keys: number[]
  total: number
  rows: QueueRow[]
}

export interface QueueHeadArgs extends QueueQuery {
  /** At most 1,000. */
  size: number
}

/** A queue line: the anomaly's columns from the one row shape (domain/rows.ts in @anomalyze/shared), flattened. */
export interface QueueRow
  extends
    Pick<TAnomalyTransaction, 'txId' | 'timestamp' | 'amount' | 'currency' | 'accountId' | 'merchantId'>,
    Pick<TAnomalyRow, 'id' | 'score' | 'severity' | 'status'> {
  key: number
  rules: string[]
  /** True while a local decision on this row has not reached the server. */
  pending: boolean
  /** Set when the last model change moved this row's severity. */
  moved: MovedDirection | null
}

export interface AnomalyDetail
  extends
    QueueRow,
    Pick<TAnomalyTransaction, 'category' | 'country' | 'channel'>,
    Pick<TAnomalyRow, 'explanation' | 'explanationData' | 'modelVersion' | 'latestDecision' | 'createdAt' | 'updatedAt'> {
  batchId: string | null
  /** The case investigating it, as last synced (null: offline-scored, or not synced into a case yet). */
  caseId: string | null
  /** What the row showed before this desktop re-scored it with the active model (score, severity, modelVersion are the new ones). */
  rescore: { previousScore: number; previousSeverity: Severity; previousModelVersion: string | null } | null
  /** This analyst's decision lost to another person's that stood first (null otherwise). */
  conflict: DecisionConflict | null
}

/**
 * Where the analyst stands in a view, counted by the core at the moment of asking (the
 * list itself is a frozen snapshot): rows matching the filters now, those of them still
 * awaiting a verdict (open or needs review), and alerts this desktop decided since local
 * midnight (each alert once, undone decisions not counted).
 */
export interface QueueProgress {
  total: number
  left: number
  decidedToday: number
}

export type HistoryPoint = Pick<QueueRow, 'id' | 'txId' | 'timestamp' | 'amount' | 'score' | 'severity'>

export interface QueueFacets {
  rules: string[]
  /** Local scored files: rows scored, and alerts (the rows the queue holds). */
  batches: Array<{ id: string; name: string; rowCount: number; alertCount: number; createdAt: number }>
}
