import { DEFAULT_CASE_SLA_MINUTES, SEVERITIES } from '@anomalyze/shared'

/**
 * SQL fragments the case modules share. Case columns are `timestamp(3)` holding UTC
 * wall time (as Prisma stores DateTime): extract(epoch) of such a value is the instant.
 * Epoch ms travel as float8, which `pg` and Prisma's raw queries both return as a
 * JS number (an int8 would come back as a string from one and a bigint from the other).
 */
export const msOf = (column: string): string => `(extract(epoch FROM ${column}) * 1000)::float8`

/** The inverse of msOf for a parameter or literal holding epoch ms, exact to the millisecond. */
export const timestampOfMs = (expression: string): string => `('epoch'::timestamp + (${expression})::float8 * interval '1 millisecond')`

/** The open statuses, as a SQL list (case-status.ts OPEN_CASE_STATUSES). */
export const OPEN_CASE_STATUS_SQL = `('OPEN', 'IN_REVIEW', 'ESCALATED')`

/** Anomaly statuses that still wait for a decision. */
export const UNDECIDED_ANOMALY_SQL = `('OPEN', 'NEEDS_REVIEW')`

/**
 * The SLA minutes of a case of priority `priority` (a SQL expression of type Severity)
 * in organisation `orgId` (a SQL expression): the organisation's CaseSla row, else the
 * default. One primary-key lookup.
 */
export function slaMinutesSql(orgId: string, priority: string): string {
  const defaults = SEVERITIES.map((s) => `WHEN '${s}' THEN ${DEFAULT_CASE_SLA_MINUTES[s]}`).join(' ')
  return `coalesce((SELECT s."minutes" FROM "CaseSla" s WHERE s."orgId" = ${orgId} AND s."severity" = ${priority}),
                   CASE ${priority}::text ${defaults} END)`
}
