import type Database from 'better-sqlite3'
import { AppError } from '@anomalyze/shared'
import type { DecisionConflict } from '../../contract/decisions.ts'
import {
  MAX_ROWS_PER_CALL,
  type AnomalyDetail,
  type HistoryPoint,
  type QueueFacets,
  type QueueFilters,
  type QueueHead,
  type QueueProgress,
  type QueueQuery,
  type QueueRow,
  type QueueSnapshot,
} from '../../contract/queue.ts'
import { DETAIL_SELECT, QUEUE_ROW_SELECT, toAnomalyDetail, toQueueRow, type QueueRowRecord, type StoredAnomaly } from './anomaly-rows.ts'
import { buildQueueWhere, orderByFor } from './queue-filters.ts'

/** A row is pending while one of its decisions, or a close of its case (which decides it), is still waiting for the server. */
export const PENDING_SQL = `(EXISTS (SELECT 1 FROM outbox o WHERE o.anomaly_id = anomalies.id AND o.pushed_at IS NULL AND o.undone = 0)
  OR (anomalies.case_id IS NOT NULL AND EXISTS (SELECT 1 FROM case_outbox c WHERE c.case_id = anomalies.case_id AND c.kind = 'close'))) AS pending`

export interface QueueQueries {
  snapshot(query: QueueQuery): QueueSnapshot
  /** The count and the first `size` keys with their rows, read together (see QueueHead). */
  head(query: QueueQuery, size: number): QueueHead
  rows(keys: readonly number[]): QueueRow[]
  get(id: string): AnomalyDetail
  /** The case an alert is in, as last synced (null: none, or no such alert). */
  caseOf(anomalyId: string): string | null
  accountHistory(accountId: string, limit: number): HistoryPoint[]
  facets(): QueueFacets
  /** Counts for the queue's progress line; `since`: the start of "today" (epoch ms). */
  progress(filters: QueueFilters, since: number): QueueProgress
}

/** Local midnight before `now`: "decided today" counts from there. */
export function startOfLocalDay(now: number): number {
  const day = new Date(now)
  day.setHours(0, 0, 0, 0)
  return day.getTime()
}

/** Statuses that still await a verdict: what "left" counts. */
const UNDECIDED = ['OPEN', 'NEEDS_REVIEW'] as const

/** `conflictOn`: the analyst's decision another person's overrules on an anomaly (the outbox knows). */
export function createQueueQueries(db: Database.Database, conflictOn: (anomalyId: string) => DecisionConflict | null = () => null): QueueQueries {
  const history = db.prepare<[string, number], HistoryPoint>(
    `SELECT id, tx_id AS txId, ts AS timestamp, amount, score, severity
     FROM anomalies WHERE account_id = ? ORDER BY ts DESC LIMIT ?`,
  )
  const caseOfAlert = db.prepare<[string], string | null>('SELECT case_id FROM anomalies WHERE id = ?').pluck()
  const getOne = db.prepare<[string], StoredAnomaly>(`SELECT ${DETAIL_SELECT}, ${PENDING_SQL} FROM anomalies WHERE id = ?`)
  const page = db.prepare<[string], QueueRowRecord>(`SELECT ${QUEUE_ROW_SELECT}, ${PENDING_SQL} FROM anomalies WHERE n IN (SELECT value FROM json_each(?))`)
  // Few distinct rule combinations exist: split those in JS rather than json_each
  // over every row (ten times slower at 100,000 rows).
  const ruleSets = db.prepare<[], string>('SELECT DISTINCT rules_json FROM anomalies').pluck()
  // The queue holds a batch's alerts only (see scoring): the picker shows both counts.
  // Distinct alerts: deciding one twice today is one alert decided.
  const decidedSince = db.prepare<[number], number>('SELECT COUNT(DISTINCT anomaly_id) FROM outbox WHERE undone = 0 AND decided_at >= ?').pluck()
  const batches = db.prepare<[], { id: string; name: string; rowCount: number; alertCount: number; createdAt: number }>(
    `SELECT id, name, row_count AS rowCount, (SELECT COUNT(*) FROM anomalies a WHERE a.batch_id = b.id) AS alertCount, created_at AS createdAt
     FROM local_batches b ORDER BY created_at DESC`,
  )

  function rowsOf(keys: readonly number[]): QueueRow[] {
    if (keys.length > MAX_ROWS_PER_CALL) {
      throw new AppError('BAD_INPUT', `Ask for at most ${MAX_ROWS_PER_CALL} rows at a time`, { requested: keys.length })
    }
    if (keys.length === 0) return []
    const records = page.all(JSON.stringify(keys))
    // Back in the order asked for; keys that vanished are left out.
    const byKey = new Map(records.map((r) => [r.n, r]))
    return keys.flatMap((k) => {
      const record = byKey.get(k)
      return record === undefined ? [] : [toQueueRow(record)]
    })
  }

  return {
    snapshot(query) {
      const where = buildQueueWhere(query.filters)
      // pluck + raw: one integer per row, no per-row object.
      const keys = db
        .prepare(`SELECT n FROM anomalies WHERE ${where.sql} ORDER BY ${orderByFor(query.sort)}`)
        .pluck()
        .all(...where.params) as number[]
      return { keys, total: keys.length }
    },
    head(query, size) {
      const where = buildQueueWhere(query.filters)
      // One read transaction: the count and the keys describe the same moment.
      return db.transaction(() => {
        const keys = db
          .prepare(`SELECT n FROM anomalies WHERE ${where.sql} ORDER BY ${orderByFor(query.sort)} LIMIT ?`)
          .pluck()
          .all(...where.params, Math.min(Math.max(size, 0), MAX_ROWS_PER_CALL)) as number[]
        const total = db
          .prepare(`SELECT COUNT(*) FROM anomalies WHERE ${where.sql}`)
          .pluck()
          .get(...where.params) as number
        return { keys, total, rows: rowsOf(keys) }
      })()
    },
    rows: rowsOf,
    get(id) {
      const record = getOne.get(id)
      if (record === undefined) throw new AppError('NOT_FOUND', `No anomaly ${id} in the local cache`, { id })
      return toAnomalyDetail(record, conflictOn(id))
    },
    caseOf: (anomalyId) => caseOfAlert.get(anomalyId) ?? null,
    accountHistory(accountId, limit) {
      return history.all(accountId, Math.min(Math.max(limit, 1), 500)).reverse()
    },
    progress(filters, since) {
      const where = buildQueueWhere(filters)
      // No status filter (or an empty one) is every status.
      const shown = filters.statuses === undefined || filters.statuses.length === 0 ? UNDECIDED : filters.statuses
      const waiting = shown.filter((s) => UNDECIDED.some((u) => u === s))
      const undecided = buildQueueWhere({ ...filters, statuses: [...waiting] })
      const noneLeft = waiting.length === 0
      return db.transaction(() => ({
        total: db
          .prepare(`SELECT COUNT(*) FROM anomalies WHERE ${where.sql}`)
          .pluck()
          .get(...where.params) as number,
        left: noneLeft
          ? 0
          : (db
              .prepare(`SELECT COUNT(*) FROM anomalies WHERE ${undecided.sql}`)
              .pluck()
              .get(...undecided.params) as number),
        decidedToday: decidedSince.get(since) ?? 0,
      }))()
    },
    facets() {
      const rules = new Set(ruleSets.all().flatMap((json) => JSON.parse(json) as string[]))
      return { rules: [...rules].sort(), batches: batches.all() }
    },
  }
}
