import { SEVERITIES, type Severity } from '@anomalyze/shared'
import { Prisma, type Db } from '../../db/prisma.ts'

/**
 * The figures of a summary period, read from Postgres. Everything is dated by the
 * transaction's timestamp (UTC), as the console's queue is, so "January" means
 * transactions that happened in January and the anomalies found among them.
 */
export interface SummaryFigures {
  from: Date
  to: Date
  /** 'day' for periods up to 62 days, 'month' beyond. */
  bucket: 'day' | 'month'
  transactions: number
  /** Sum of amounts as exact decimal text (currencies mixed: a volume indicator). */
  amountTotal: string
  anomalies: number
  series: { start: Date; transactions: number; anomalies: number }[]
  severities: Record<Severity, number>
  topRules: { rule: string; count: number }[]
  /** Anomalies an analyst decided: confirmed fraud or false positive. */
  confirmedFraud: number
  falsePositives: number
  /** falsePositives / (falsePositives + confirmedFraud), null when nothing was decided. */
  falsePositiveRate: number | null
  /**
   * Each model version that scored the period's anomalies (Anomaly.modelVersion), most
   * anomalies first; 'unknown' for anomalies stored without one. Not the model active
   * now: that one may have scored none of them.
   */
  modelVersions: { version: string; count: number }[]
}

const utc = (d: Date): Prisma.Sql => Prisma.sql`${d.toISOString()}::timestamptz AT TIME ZONE 'UTC'`

export async function readSummaryFigures(db: Db, orgId: string, from: Date, to: Date): Promise<SummaryFigures> {
  const bucket = to.getTime() - from.getTime() <= 62 * 86_400_000 ? 'day' : 'month'
  const inPeriod = Prisma.sql`t."orgId" = ${orgId} AND t.timestamp >= ${utc(from)} AND t.timestamp < ${utc(to)}`
  const anomalyJoin = Prisma.sql`"Anomaly" a JOIN "Transaction" t ON t.id = a."transactionId" AND a."orgId" = ${orgId}`

  const [totals] = await db.$queryRaw<{ transactions: bigint; amount: string | null }[]>`
    SELECT count(*) AS transactions, sum(t.amount)::text AS amount FROM "Transaction" t WHERE ${inPeriod}`
  const series = await db.$queryRaw<{ start: Date; transactions: bigint; anomalies: bigint }[]>`
    SELECT s.start, coalesce(v.transactions, 0) AS transactions, coalesce(v.anomalies, 0) AS anomalies
      FROM generate_series(date_trunc(${bucket}, ${utc(from)}), ${utc(to)} - interval '1 millisecond', ${`1 ${bucket}`}::interval) AS s(start)
      LEFT JOIN (
        SELECT date_trunc(${bucket}, t.timestamp) AS start, count(*) AS transactions, count(a.id) AS anomalies
          FROM "Transaction" t LEFT JOIN "Anomaly" a ON a."transactionId" = t.id
         WHERE ${inPeriod} GROUP BY 1
      ) v ON v.start = s.start
     ORDER BY s.start`
  const bySeverity = await db.$queryRaw<{ severity: Severity; n: bigint }[]>`
    SELECT a.severity::text AS severity, count(*) AS n FROM ${anomalyJoin} WHERE ${inPeriod} GROUP BY 1`
  const byStatus = await db.$queryRaw<{ status: string; n: bigint }[]>`
    SELECT a.status::text AS status, count(*) AS n FROM ${anomalyJoin} WHERE ${inPeriod} GROUP BY 1`
  const topRules = await db.$queryRaw<{ rule: string; n: bigint }[]>`
    SELECT r.rule, count(*) AS n FROM ${anomalyJoin} CROSS JOIN LATERAL unnest(a."ruleViolations") AS r(rule)
     WHERE ${inPeriod} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 8`
  const versions = await db.$queryRaw<{ version: string; n: bigint }[]>`
    SELECT coalesce(a."modelVersion", 'unknown') AS version, count(*) AS n FROM ${anomalyJoin}
     WHERE ${inPeriod} GROUP BY 1 ORDER BY 2 DESC, 1`

  const severities = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>
  for (const row of bySeverity) severities[row.severity] = Number(row.n)
  const statusCount = (status: string): number => Number(byStatus.find((row) => row.status === status)?.n ?? 0)
  const confirmedFraud = statusCount('CONFIRMED_FRAUD')
  const falsePositives = statusCount('FALSE_POSITIVE')
  const decided = confirmedFraud + falsePositives
  const modelVersions = versions.map((row) => ({ version: row.version, count: Number(row.n) }))
  return {
    from,
    to,
    bucket,
    transactions: Number(totals?.transactions ?? 0),
    amountTotal: totals?.amount ?? '0',
    anomalies: Object.values(severities).reduce((sum, n) => sum + n, 0),
    series: series.map((row) => ({ start: row.start, transactions: Number(row.transactions), anomalies: Number(row.anomalies) })),
    severities,
    topRules: topRules.map((row) => ({ rule: row.rule, count: Number(row.n) })),
    confirmedFraud,
    falsePositives,
    falsePositiveRate: decided === 0 ? null : falsePositives / decided,
    modelVersions,
  }
}
