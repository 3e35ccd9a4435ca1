import { Prisma } from '../../db/prisma.ts'
import { caseEventDetail } from './case-event-detail.ts'
import type { TCaseFilters } from './report-parameters.ts'
import type { CursorSession } from './stream-query-rows.ts'

/**
 * The cases report: one line per timeline event of each case in the period (a case
 * without events still gets one line, its event columns empty). Cases merged into
 * another are left out: their alerts and timeline moved to the case they joined.
 * Postgres renders every column as text, as the other exports do; the event's detail
 * is written from its JSON here (case-event-detail.ts) as the rows stream through.
 */
const iso = (column: string): Prisma.Sql => Prisma.raw(`coalesce(to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), '')`)

export const CASE_COLUMNS = [
  'case_id',
  'entity_type',
  'entity_id',
  'status',
  'priority',
  'assignee',
  'opened_at',
  'due_at',
  'closed_at',
  'event_at',
  'event_kind',
  'actor',
  'detail',
] as const

export type CaseExportRow = Record<(typeof CASE_COLUMNS)[number], string>
type CaseQueryRow = Omit<CaseExportRow, 'detail'> & { data: string }

export function casesQuery(orgId: string, filters: TCaseFilters): Prisma.Sql {
  const where: Prisma.Sql[] = [Prisma.sql`c."orgId" = ${orgId}`, Prisma.sql`c."mergedIntoId" IS NULL`]
  if (filters.to !== undefined) where.push(Prisma.sql`c."createdAt" < ${filters.to}::timestamptz AT TIME ZONE 'UTC'`)
  if (filters.from !== undefined) where.push(Prisma.sql`(c."closedAt" IS NULL OR c."closedAt" >= ${filters.from}::timestamptz AT TIME ZONE 'UTC')`)
  if (filters.statuses !== undefined && filters.statuses.length > 0) where.push(Prisma.sql`c.status::text IN (${Prisma.join(filters.statuses)})`)
  return Prisma.sql`
    SELECT c.id AS case_id, c."entityType"::text AS entity_type, c."entityId" AS entity_id, c.status::text AS status,
           c.priority::text AS priority, coalesce(u.name, u.email, c."assigneeId", '') AS assignee,
           ${iso('c."createdAt"')} AS opened_at, ${iso('c."dueAt"')} AS due_at, ${iso('c."closedAt"')} AS closed_at,
           ${iso('e.at')} AS event_at, coalesce(e.kind, '') AS event_kind, coalesce(e."actorName", '') AS actor, coalesce(e.data::text, '') AS data
      FROM "Case" c
      LEFT JOIN "User" u ON u.id = c."assigneeId"
      LEFT JOIN "CaseEvent" e ON e."caseId" = c.id AND e."orgId" = ${orgId}
     WHERE ${Prisma.join(where, ' AND ')}
     ORDER BY c."createdAt", c.id, e.at, e."createdAt", e.id`
}

/** The cursor's rows with `data` replaced by the readable `detail`, page by page (still streaming). */
export function withEventDetail(session: CursorSession<CaseQueryRow>): CursorSession<CaseExportRow> {
  return {
    total: session.total,
    async *pages() {
      for await (const page of session.pages()) {
        yield page.map(({ data, ...row }) => ({ ...row, detail: row.event_kind === '' ? '' : caseEventDetail(row.event_kind, parseData(data)) }))
      }
    },
  }
}

function parseData(data: string): unknown {
  if (data === '') return null
  try {
    return JSON.parse(data) as unknown
  } catch {
    return data
  }
}
