import type { TCaseEvent, TCaseRow } from '@anomalyze/shared'
import type { SqlRunner } from '../../db/sql.ts'
import { msOf, slaMinutesSql, UNDECIDED_ANOMALY_SQL } from './case-sql.ts'

/**
 * Reading cases and their timelines as the contract's rows (ZCaseRow, ZCaseEvent),
 * through any SqlRunner: the `pg` pool for reads, a Prisma transaction (see
 * sqlOfPrismaTransaction) for the case as it stands after an action. Every statement
 * takes the organisation as $1: a case of another organisation is never read.
 */

const person = (idColumn: string, userAlias: string): string =>
  `CASE WHEN ${idColumn} IS NULL THEN NULL ELSE json_build_object('id', ${idColumn}, 'name', coalesce(${userAlias}."name", ${userAlias}."email", ${idColumn})) END`

/**
 * The select list and joins of a case row (alias `c`). alertCount and openAlertCount
 * are one index scan of Anomaly(caseId) each; the people are primary-key lookups.
 */
const CASE_ROW_SQL = `
  SELECT c."id", c."entityType"::text AS "entityType", c."entityId", c."status"::text AS "status", c."priority"::text AS "priority",
    ${person('c."assigneeId"', 'ua')} AS "assignee",
    ${msOf('c."dueAt"')} AS "dueAt",
    CASE WHEN c."dueAt" IS NULL THEN NULL ELSE ${slaMinutesSql('c."orgId"', 'c."priority"')} END AS "slaMinutes",
    ${msOf(`coalesce(c."breachNotifiedAt", CASE WHEN c."dueAt" <= coalesce(c."closedAt", (now() AT TIME ZONE 'UTC')) THEN c."dueAt" END)`)} AS "breachedAt",
    c."mergedIntoId",
    (SELECT count(*) FROM "Anomaly" a WHERE a."caseId" = c."id")::int AS "alertCount",
    (SELECT count(*) FROM "Anomaly" a WHERE a."caseId" = c."id" AND a."status"::text IN ${UNDECIDED_ANOMALY_SQL})::int AS "openAlertCount",
    ${person('c."openedById"', 'uo')} AS "openedBy",
    ${msOf('c."closedAt"')} AS "closedAt",
    ${person('c."closedById"', 'uc')} AS "closedBy",
    ${msOf('c."createdAt"')} AS "createdAt",
    ${msOf('c."updatedAt"')} AS "updatedAt"
  FROM "Case" c
  LEFT JOIN "User" ua ON ua."id" = c."assigneeId"
  LEFT JOIN "User" uo ON uo."id" = c."openedById"
  LEFT JOIN "User" uc ON uc."id" = c."closedById"`

/**
 * Case rows of organisation $1 matching `where` (a condition on alias `c`, with its
 * own parameters from $2 on), then `tail` (ORDER BY / LIMIT).
 */
export async function selectCaseRows(
  sql: SqlRunner,
  orgId: string,
  where: string,
  params: unknown[] = [],
  tail = 'ORDER BY c."updatedAt", c."id"',
): Promise<TCaseRow[]> {
  const { rows } = await sql.query<TCaseRow>(`${CASE_ROW_SQL} WHERE c."orgId" = $1 AND (${where}) ${tail}`, [orgId, ...params])
  return rows
}

/** The cases with these ids (those of the organisation; others are silently absent), in no particular order. */
export function readCasesByIds(sql: SqlRunner, orgId: string, ids: readonly string[]): Promise<TCaseRow[]> {
  if (ids.length === 0) return Promise.resolve([])
  return selectCaseRows(sql, orgId, `c."id" = ANY($2::text[])`, [ids])
}

export async function readCase(sql: SqlRunner, orgId: string, id: string): Promise<TCaseRow | null> {
  return (await readCasesByIds(sql, orgId, [id]))[0] ?? null
}

/**
 * The timelines of these cases, each oldest first (by `at`). Lines written in one
 * transaction share their `at` and createdAt: a case's `opened` line goes first among
 * them, the rest by id.
 */
export async function readCaseEvents(sql: SqlRunner, orgId: string, caseIds: readonly string[]): Promise<TCaseEvent[]> {
  if (caseIds.length === 0) return []
  const { rows } = await sql.query<TCaseEvent>(
    `SELECT e."id", e."caseId", e."kind",
       CASE WHEN e."actorId" IS NULL THEN NULL ELSE json_build_object('id', e."actorId", 'name', e."actorName") END AS "actor",
       e."actorName", ${msOf('e."at"')} AS "at", e."data", e."mutationId"
     FROM "CaseEvent" e
     WHERE e."orgId" = $1 AND e."caseId" = ANY($2::text[])
     ORDER BY e."caseId", e."at", e."kind" = 'opened' DESC, e."createdAt", e."id"`,
    [orgId, caseIds],
  )
  return rows
}
