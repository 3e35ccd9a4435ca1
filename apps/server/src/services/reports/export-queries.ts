import { Prisma } from '../../db/prisma.ts'
import type { TAnomalyFilters, TDecisionFilters } from './report-parameters.ts'

/**
 * The SQL behind the CSV exports. Every column is rendered as text by Postgres
 * (exact decimals, shortest round-trip floats, ISO timestamps in UTC), so the writer
 * only quotes; every value is a bind parameter, never interpolated. Rows come in a
 * stable order (time, then id) so two exports of the same data are identical.
 */
const iso = (column: string): Prisma.Sql => Prisma.raw(`to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`)

export const ANOMALY_COLUMNS = [
  'anomaly_id',
  'tx_id',
  'timestamp',
  'amount',
  'currency',
  'account_id',
  'merchant_id',
  'category',
  'country',
  'channel',
  'score',
  'severity',
  'rules',
  'status',
  'model_version',
  'explanation',
  'detected_at',
] as const

export type AnomalyExportRow = Record<(typeof ANOMALY_COLUMNS)[number], string>

export function anomaliesQuery(orgId: string, filters: TAnomalyFilters): Prisma.Sql {
  const where: Prisma.Sql[] = [Prisma.sql`a."orgId" = ${orgId}`, Prisma.sql`t."orgId" = ${orgId}`]
  if (filters.severities !== undefined && filters.severities.length > 0) where.push(Prisma.sql`a.severity::text IN (${Prisma.join(filters.severities)})`)
  if (filters.statuses !== undefined && filters.statuses.length > 0) where.push(Prisma.sql`a.status::text IN (${Prisma.join(filters.statuses)})`)
  if (filters.rule !== undefined) where.push(Prisma.sql`${filters.rule}::text = ANY(a."ruleViolations")`)
  if (filters.amountMin !== undefined) where.push(Prisma.sql`t.amount >= ${String(filters.amountMin)}::numeric`)
  if (filters.amountMax !== undefined) where.push(Prisma.sql`t.amount <= ${String(filters.amountMax)}::numeric`)
  if (filters.from !== undefined) where.push(Prisma.sql`t.timestamp >= ${filters.from}::timestamptz AT TIME ZONE 'UTC'`)
  if (filters.to !== undefined) where.push(Prisma.sql`t.timestamp < ${filters.to}::timestamptz AT TIME ZONE 'UTC'`)
  if (filters.accountId !== undefined) where.push(Prisma.sql`t."accountId" = ${filters.accountId}`)
  return Prisma.sql`
    SELECT a.id AS anomaly_id, t."txId" AS tx_id, ${iso('t.timestamp')} AS timestamp, t.amount::text AS amount,
           t.currency::text AS currency, t."accountId" AS account_id, t."merchantId" AS merchant_id,
           coalesce(t.category, '') AS category, coalesce(t.country::text, '') AS country, coalesce(t.channel, '') AS channel,
           a.score::text AS score, a.severity::text AS severity, array_to_string(a."ruleViolations", ';') AS rules,
           a.status::text AS status, coalesce(a."modelVersion", '') AS model_version, a.explanation AS explanation,
           ${iso('a."createdAt"')} AS detected_at
      FROM "Anomaly" a JOIN "Transaction" t ON t.id = a."transactionId"
     WHERE ${Prisma.join(where, ' AND ')}
     ORDER BY t.timestamp, a.id`
}

export const DECISION_COLUMNS = [
  'decision_id',
  'decided_at',
  'decided_by',
  'label',
  'note',
  'anomaly_id',
  'tx_id',
  'timestamp',
  'amount',
  'currency',
  'account_id',
  'merchant_id',
  'score',
  'severity',
  'rules',
  'current_status',
] as const

export type DecisionExportRow = Record<(typeof DECISION_COLUMNS)[number], string>

export function decisionsQuery(orgId: string, filters: TDecisionFilters): Prisma.Sql {
  const where: Prisma.Sql[] = [Prisma.sql`l."orgId" = ${orgId}`, Prisma.sql`a."orgId" = ${orgId}`]
  if (filters.labels !== undefined && filters.labels.length > 0) where.push(Prisma.sql`l.label::text IN (${Prisma.join(filters.labels)})`)
  if (filters.decidedBy !== undefined) where.push(Prisma.sql`l."decidedBy" = ${filters.decidedBy}`)
  if (filters.from !== undefined) where.push(Prisma.sql`l."decidedAt" >= ${filters.from}::timestamptz AT TIME ZONE 'UTC'`)
  if (filters.to !== undefined) where.push(Prisma.sql`l."decidedAt" < ${filters.to}::timestamptz AT TIME ZONE 'UTC'`)
  if (filters.accountId !== undefined) where.push(Prisma.sql`t."accountId" = ${filters.accountId}`)
  return Prisma.sql`
    SELECT l.id AS decision_id, ${iso('l."decidedAt"')} AS decided_at, l."decidedBy" AS decided_by, l.label::text AS label,
           coalesce(l.note, '') AS note, a.id AS anomaly_id, t."txId" AS tx_id, ${iso('t.timestamp')} AS timestamp,
           t.amount::text AS amount, t.currency::text AS currency, t."accountId" AS account_id, t."merchantId" AS merchant_id,
           a.score::text AS score, a.severity::text AS severity, array_to_string(a."ruleViolations", ';') AS rules,
           a.status::text AS current_status
      FROM "AnomalyLabel" l
      JOIN "Anomaly" a ON a.id = l."anomalyId"
      JOIN "Transaction" t ON t.id = a."transactionId"
     WHERE ${Prisma.join(where, ' AND ')}
     ORDER BY l."decidedAt", l.id`
}
