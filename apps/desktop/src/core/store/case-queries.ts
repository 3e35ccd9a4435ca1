import type Database from 'better-sqlite3'
import { AppError } from '@anomalyze/shared'
import { CASE_QUEUES, type CaseDetail, type CaseList, type CaseListArgs, type CaseQueue } from '../../contract/cases.ts'
import { MAX_ROWS_PER_CALL } from '../../contract/queue.ts'
import { QUEUE_ROW_SELECT, toQueueRow, type QueueRowRecord } from './anomaly-rows.ts'
import { PENDING_SQL } from './queue-queries.ts'
import type { CaseOutbox } from './case-outbox.ts'
import { CASE_SELECT, toCaseEvent, toCaseListRow, type CaseEventRecord, type CaseRecord } from './case-rows.ts'
import type { EntityCache } from './entity-cache.ts'

export interface CaseQueries {
  /** A queue page; `me`: the signed-in person's user id (My cases). */
  list(args: CaseListArgs, me: string, now: number): CaseList
  get(id: string, now: number): CaseDetail
}

export const DEFAULT_CASE_PAGE = 200

/**
 * "Due soon" as slaState says it (shared/cases/sla.ts), in SQL: due within a quarter
 * of the case's SLA, at most 4 hours, or already overdue. The 4-hour bound alone is an
 * index range; the SLA's quarter is then checked on those few rows.
 */
const DUE_SQL = 'is_open = 1 AND due_at <= @now + 14400000 AND due_at - @now <= coalesce(sla_minutes, 960) * 15000'

/** Each queue's condition (is_open = 0 for closed and merged cases), and the index that answers it. */
const QUEUE_SQL: Record<CaseQueue, string> = {
  mine: 'assignee_id = @me AND is_open = 1',
  unassigned: 'assignee_id IS NULL AND is_open = 1',
  escalated: "status = 'ESCALATED' AND is_open = 1",
  due: DUE_SQL,
  all: 'is_open = 1',
}
/**
 * Named, because without statistics SQLite guessed: My cases went through the due-time
 * index and sorted every open case (80 ms at 20,000 cases, against 1 ms).
 */
const QUEUE_INDEX: Record<CaseQueue, string> = {
  mine: 'cases_mine',
  unassigned: 'cases_mine',
  escalated: 'cases_by_status_due',
  due: 'cases_open_due',
  all: 'cases_by_priority',
}

/** Worst first, then the one due soonest; "due" is the reverse emphasis: soonest due first. */
const PRIORITY_ORDER = 'priority_rank DESC, due_at IS NULL, due_at, id'
const DUE_ORDER = 'due_at, priority_rank DESC, id'

const PENDING_CASE_SQL = 'EXISTS (SELECT 1 FROM case_outbox o WHERE o.case_id = cases.id) AS pending'

/** LIKE pattern for a case-insensitive prefix, with the wildcards of the text itself escaped. */
export function prefixPattern(text: string): string {
  return `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

export function createCaseQueries(db: Database.Database, outbox: CaseOutbox, entities: EntityCache): CaseQueries {
  const countStatements = Object.fromEntries(
    CASE_QUEUES.map((q) => [q, db.prepare(`SELECT COUNT(*) FROM cases INDEXED BY ${QUEUE_INDEX[q]} WHERE ${QUEUE_SQL[q]}`).pluck()]),
  ) as Record<CaseQueue, Database.Statement>
  const getCase = db.prepare<[string], CaseRecord & { pending: number }>(`SELECT ${CASE_SELECT}, ${PENDING_CASE_SQL} FROM cases WHERE id = ?`)
  const alerts = db.prepare<[string, number], QueueRowRecord>(
    `SELECT ${QUEUE_ROW_SELECT}, ${PENDING_SQL} FROM anomalies WHERE case_id = ? ORDER BY severity_rank DESC, score DESC, n LIMIT ?`,
  )
  const events = db.prepare<[string], CaseEventRecord>('SELECT * FROM case_events WHERE case_id = ? ORDER BY at, rowid')

  // Only the parameters a statement names are bound (better-sqlite3 refuses extra ones).
  const paramsFor = (sql: string, all: Record<string, unknown>) => Object.fromEntries(Object.entries(all).filter(([k]) => sql.includes(`@${k}`)))

  return {
    list(args, me, now) {
      const withClosed = args.queue === 'all' && args.includeClosed === true
      const conditions = [withClosed ? 'merged_into_id IS NULL' : QUEUE_SQL[args.queue]]
      const from = withClosed ? 'cases' : `cases INDEXED BY ${QUEUE_INDEX[args.queue]}`
      const text = args.text?.trim() ?? ''
      if (text !== '') conditions.push("entity_id LIKE @text ESCAPE '\\'")
      const where = conditions.join(' AND ')
      const limit = Math.min(Math.max(args.limit ?? DEFAULT_CASE_PAGE, 1), MAX_ROWS_PER_CALL)
      const offset = Math.max(args.offset ?? 0, 0)
      const all = { me, now, text: prefixPattern(text), limit, offset }
      const pageSql = `SELECT ${CASE_SELECT}, ${PENDING_CASE_SQL} FROM ${from} WHERE ${where}
        ORDER BY ${args.queue === 'due' ? DUE_ORDER : PRIORITY_ORDER} LIMIT @limit OFFSET @offset`
      const countSql = `SELECT COUNT(*) FROM ${from} WHERE ${where}`
      // One read transaction: the page, its total and the badges describe the same moment.
      return db.transaction((): CaseList => {
        const records = db.prepare(pageSql).all(paramsFor(pageSql, all)) as Array<CaseRecord & { pending: number }>
        const total = db.prepare(countSql).pluck().get(paramsFor(countSql, all)) as number
        const counts = Object.fromEntries(CASE_QUEUES.map((q) => [q, countStatements[q].get(paramsFor(QUEUE_SQL[q], { me, now })) as number])) as Record<
          CaseQueue,
          number
        >
        return { rows: records.map((r) => toCaseListRow(r, r.pending > 0, now)), total, counts }
      })()
    },
    get(id, now) {
      return db.transaction((): CaseDetail => {
        const record = getCase.get(id)
        if (record === undefined) throw new AppError('NOT_FOUND', `No case ${id} in the local cache: sync first.`, { id })
        const synced = events.all(id).map((e) => ({ ...toCaseEvent(e), pending: false }))
        // Stable sort: synced lines first at equal times, this console's waiting ones after.
        const timeline = [...synced, ...outbox.pendingTimeline(id)].sort((a, b) => a.at - b.at)
        return {
          case: toCaseListRow(record, record.pending > 0, now),
          alerts: alerts.all(id, MAX_ROWS_PER_CALL).map(toQueueRow),
          timeline,
          conflict: outbox.conflictOn(id),
          cachedTransactions: entities.cachedCount({ type: record.entity_type, id: record.entity_id }),
        }
      })()
    },
  }
}
