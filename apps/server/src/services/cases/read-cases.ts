import { AppError, decodeCaseCursor, encodeCaseCursor, type TCaseEvent, type TCasePullOutput, type TCaseRow } from '@anomalyze/shared'
import { sqlPoolOf, type Db } from '../../db/prisma.ts'
import type { SqlRunner } from '../../db/sql.ts'
import { OPEN_CASE_STATUS_SQL, slaMinutesSql, timestampOfMs } from './case-sql.ts'
import { readCase, readCaseEvents, selectCaseRows } from './case-store.ts'

/**
 * Reading cases: the case pull (consoles' sync), the queues (cases.list) and one case
 * with its timeline (cases.get). Reads go straight to `pg` (see sqlPoolOf).
 */

/** The `pg` pool as a SqlRunner. */
export function sqlOfDb(db: Db): SqlRunner {
  const pool = sqlPoolOf(db)
  return { query: async <R extends object>(text: string, params: unknown[] = []) => ({ rows: (await pool.query(text, params)).rows as R[] }) }
}

/**
 * Rows changed in the last moments may still be invisible while a concurrent transaction
 * commits with an earlier updatedAt: the pull serves only changes older than this, like
 * the anomaly pull (services/sync/pull-changes.ts).
 */
const SETTLE_MS = 1_000
const NOT_A_CURSOR = 'cursor: not a cursor from cases.pull; start again with cursor null'

/** Cases changed since the cursor, oldest change first, each with its whole timeline. */
export async function pullCases(db: Db, orgId: string, input: { cursor: string | null; limit: number }, now = Date.now()): Promise<TCasePullOutput> {
  const after = input.cursor === null ? null : decodeCaseCursor(input.cursor)
  if (input.cursor !== null && after === null) throw new AppError('BAD_INPUT', NOT_A_CURSOR, { field: 'cursor' })
  const sql = sqlOfDb(db)
  // A cursor names the last case of a page this organisation was served: one naming
  // another organisation's case (or none) is refused, as the anomaly pull does.
  if (after !== null && (await readCase(sql, orgId, after.id)) === null) throw new AppError('BAD_INPUT', NOT_A_CURSOR, { field: 'cursor' })
  const params: unknown[] = [now - SETTLE_MS]
  let where = `c."updatedAt" < ${timestampOfMs('$2')}`
  if (after !== null) {
    params.push(after.updatedAt, after.id)
    where += ` AND (c."updatedAt", c."id") > (${timestampOfMs('$3')}, $4)`
  }
  const rows = await selectCaseRows(sql, orgId, where, params, `ORDER BY c."updatedAt", c."id" LIMIT ${input.limit + 1}`)
  const page = rows.slice(0, input.limit)
  const last = page.at(-1)
  return {
    cases: page,
    events: await readCaseEvents(
      sql,
      orgId,
      page.map((c) => c.id),
    ),
    nextCursor: last ? encodeCaseCursor(last.updatedAt, last.id) : input.cursor,
    hasMore: rows.length > input.limit,
  }
}

export const CASE_QUEUES = ['mine', 'unassigned', 'escalated', 'due', 'all'] as const
export type CaseQueue = (typeof CASE_QUEUES)[number]

/**
 * One page of a queue, newest case first (keyset on createdAt, id; the cursor is a
 * case cursor over createdAt). Merged cases are in no queue. "due" holds open cases
 * overdue or due within a quarter of their SLA (at most 4 hours), as slaState says.
 */
export async function listCases(
  db: Db,
  orgId: string,
  userId: string | null,
  input: { queue?: CaseQueue | undefined; cursor?: string | null | undefined; limit?: number | undefined },
  now = Date.now(),
): Promise<{ items: TCaseRow[]; nextCursor: string | null }> {
  const limit = input.limit ?? 100
  const after = input.cursor == null ? null : decodeCaseCursor(input.cursor)
  if (input.cursor != null && after === null)
    throw new AppError('BAD_INPUT', 'cursor: not a cursor from cases.list; start again without one', { field: 'cursor' })
  const params: unknown[] = []
  const param = (value: unknown): string => {
    params.push(value)
    return `$${params.length + 1}`
  }
  const conditions = [`c."mergedIntoId" IS NULL`]
  const open = `c."status"::text IN ${OPEN_CASE_STATUS_SQL}`
  switch (input.queue ?? 'all') {
    case 'mine':
      // An API key holds no case: its "mine" is empty.
      conditions.push(open, userId === null ? 'false' : `c."assigneeId" = ${param(userId)}`)
      break
    case 'unassigned':
      conditions.push(open, `c."assigneeId" IS NULL`)
      break
    case 'escalated':
      conditions.push(`c."status" = 'ESCALATED'`)
      break
    case 'due':
      conditions.push(
        open,
        `c."dueAt" <= ${timestampOfMs(param(now))} + least(interval '4 hours', ${slaMinutesSql('c."orgId"', 'c."priority"')} * interval '15 seconds')`,
      )
      break
    case 'all':
      break
  }
  if (after !== null) conditions.push(`(c."createdAt", c."id") < (${timestampOfMs(param(after.updatedAt))}, ${param(after.id)})`)
  const rows = await selectCaseRows(sqlOfDb(db), orgId, conditions.join(' AND '), params, `ORDER BY c."createdAt" DESC, c."id" DESC LIMIT ${limit + 1}`)
  const items = rows.slice(0, limit)
  const last = items.at(-1)
  return { items, nextCursor: rows.length > limit && last ? encodeCaseCursor(last.createdAt, last.id) : null }
}

/**
 * One case with its timeline and its alerts. The timeline includes the lines of the
 * cases merged into it (each line keeps its own caseId), so nothing they recorded
 * disappears with the merge.
 */
export async function getCase(db: Db, orgId: string, id: string): Promise<{ case: TCaseRow; events: TCaseEvent[]; anomalyIds: string[] }> {
  const sql = sqlOfDb(db)
  const row = await readCase(sql, orgId, id)
  if (row === null) throw new AppError('NOT_FOUND', `No case with id ${id}`, { field: 'id' })
  const { rows: merged } = await sql.query<{ id: string }>(
    `WITH RECURSIVE merged AS (
       SELECT c."id" FROM "Case" c WHERE c."orgId" = $1 AND c."mergedIntoId" = $2
       UNION SELECT c."id" FROM "Case" c JOIN merged m ON c."mergedIntoId" = m."id" WHERE c."orgId" = $1
     ) SELECT "id" FROM merged`,
    [orgId, id],
  )
  const events = await readCaseEvents(sql, orgId, [id, ...merged.map((m) => m.id)])
  events.sort((a, b) => a.at - b.at)
  const { rows: anomalies } = await sql.query<{ id: string }>(`SELECT "id" FROM "Anomaly" WHERE "orgId" = $1 AND "caseId" = $2 ORDER BY "createdAt", "id"`, [
    orgId,
    id,
  ])
  return { case: row, events, anomalyIds: anomalies.map((a) => a.id) }
}
