import { OPEN_CASE_STATUSES, CLOSED_CASE_STATUSES, type TTeamMetrics } from '@anomalyze/shared'
import { Prisma, type Db } from '../../db/prisma.ts'

/**
 * What a team lead looks at, as SQL aggregates over the organisation's cases, case
 * events, alerts and decisions. The period is the `days` before `now` (both ends
 * inclusive). Cases merged into another leave every figure (their alerts and timeline
 * moved to the case they joined).
 */
const DAY_MS = 86_400_000
/** "Due soon": due within this long (the queue's "Due soon" uses at most the same). */
export const DUE_SOON_MS = 4 * 3_600_000
export const AGE_BUCKETS = ['<1d', '1-3d', '3-7d', '>7d'] as const
/** The rule key of alerts the model raised without any rule violation. */
export const MODEL_ONLY = 'model only'

const at = (ms: number): Prisma.Sql => Prisma.sql`(timestamp '1970-01-01' + ${ms}::bigint * interval '1 millisecond')`
const openCase = Prisma.sql`c.status::text IN (${Prisma.join([...OPEN_CASE_STATUSES])}) AND c."mergedIntoId" IS NULL`

interface RateRow {
  key: string
  decided: bigint
  fp: bigint
}

export async function teamMetrics(db: Db, orgId: string, days: number, now: number): Promise<TTeamMetrics> {
  const start = now - days * DAY_MS
  const [byAge, [sla], [breached], closed, [median], byRule, byModel] = await Promise.all([
    db.$queryRaw<{ bucket: string; n: bigint }[]>`
      SELECT CASE WHEN age < interval '1 day' THEN '<1d' WHEN age < interval '3 days' THEN '1-3d'
                  WHEN age < interval '7 days' THEN '3-7d' ELSE '>7d' END AS bucket, count(*) AS n
        FROM (SELECT ${at(now)} - c."createdAt" AS age FROM "Case" c WHERE c."orgId" = ${orgId} AND ${openCase}) x
       GROUP BY 1`,
    db.$queryRaw<{ overdue: bigint; soon: bigint }[]>`
      SELECT count(*) FILTER (WHERE c."dueAt" <= ${at(now)}) AS overdue,
             count(*) FILTER (WHERE c."dueAt" > ${at(now)} AND c."dueAt" <= ${at(now + DUE_SOON_MS)}) AS soon
        FROM "Case" c WHERE c."orgId" = ${orgId} AND ${openCase}`,
    db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM "CaseEvent" e
       WHERE e."orgId" = ${orgId} AND e.kind = 'sla_breached' AND e.at >= ${at(start)} AND e.at <= ${at(now)}`,
    db.$queryRaw<{ day: string; id: string; name: string; n: bigint }[]>`
      SELECT to_char(c."closedAt", 'YYYY-MM-DD') AS day, c."closedById" AS id, coalesce(u.name, u.email, c."closedById") AS name, count(*) AS n
        FROM "Case" c LEFT JOIN "User" u ON u.id = c."closedById"
       WHERE c."orgId" = ${orgId} AND c.status::text IN (${Prisma.join([...CLOSED_CASE_STATUSES])}) AND c."mergedIntoId" IS NULL
         AND c."closedById" IS NOT NULL AND c."closedAt" >= ${at(start)} AND c."closedAt" <= ${at(now)}
       GROUP BY 1, 2, 3 ORDER BY 1, 3, 2`,
    // An alert's first decision, superseded or not: when someone first acted on it.
    // Analysts' clocks may run behind the server's: a decision "before" the alert counts as 0.
    db.$queryRaw<{ ms: number | null }[]>`
      SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS ms FROM (
        SELECT greatest(0, extract(epoch from (min(l."decidedAt") - a."createdAt")) * 1000)::float8 AS ms
          FROM "AnomalyLabel" l JOIN "Anomaly" a ON a.id = l."anomalyId" AND a."orgId" = ${orgId}
         WHERE l."orgId" = ${orgId}
         GROUP BY a.id, a."createdAt"
        HAVING min(l."decidedAt") >= ${at(start)} AND min(l."decidedAt") <= ${at(now)}
      ) x`,
    falsePositiveRates(db, orgId, start, now, Prisma.sql`unnest(CASE WHEN cardinality(d.rules) = 0 THEN ARRAY[${MODEL_ONLY}::text] ELSE d.rules END)`),
    falsePositiveRates(db, orgId, start, now, Prisma.sql`unnest(ARRAY[d.model])`),
  ])
  const ageCount = (bucket: string): number => Number(byAge.find((r) => r.bucket === bucket)?.n ?? 0)
  return {
    openByAge: AGE_BUCKETS.map((bucket) => ({ bucket, count: ageCount(bucket) })),
    sla: { openOverdue: Number(sla?.overdue ?? 0), dueSoon: Number(sla?.soon ?? 0), breachedInPeriod: Number(breached?.n ?? 0) },
    closedPerAnalyst: closed.map((r) => ({ day: r.day, analyst: { id: r.id, name: r.name }, count: Number(r.n) })),
    medianTimeToDecisionMs: median?.ms ?? null,
    falsePositiveByRule: byRule.map(toRate),
    falsePositiveByModel: byModel.map(toRate),
  }
}

function toRate(r: RateRow): { key: string; decided: number; falsePositives: number; rate: number } {
  const decided = Number(r.decided)
  const falsePositives = Number(r.fp)
  return { key: r.key, decided, falsePositives, rate: decided === 0 ? 0 : falsePositives / decided }
}

/**
 * Alerts decided in the period (confirmed fraud or false positive, by the decision in
 * force: the latest label not superseded, decided within the period), grouped by
 * `keys` (a set-returning expression over the row `d`: its rules, or its model version).
 */
function falsePositiveRates(db: Db, orgId: string, start: number, now: number, keys: Prisma.Sql): Promise<RateRow[]> {
  return db.$queryRaw<RateRow[]>`
    WITH d AS (
      SELECT a.status::text AS status, a."ruleViolations" AS rules, coalesce(a."modelVersion", 'unknown') AS model
        FROM "Anomaly" a
        JOIN LATERAL (
          SELECT l."decidedAt" FROM "AnomalyLabel" l WHERE l."anomalyId" = a.id AND l."supersededAt" IS NULL
           ORDER BY l."decidedAt" DESC, l."createdAt" DESC LIMIT 1
        ) f ON TRUE
       WHERE a."orgId" = ${orgId} AND a.status::text IN ('CONFIRMED_FRAUD', 'FALSE_POSITIVE')
         AND f."decidedAt" >= ${at(start)} AND f."decidedAt" <= ${at(now)}
    )
    SELECT k.key, count(*) AS decided, count(*) FILTER (WHERE d.status = 'FALSE_POSITIVE') AS fp
      FROM d CROSS JOIN LATERAL ${keys} AS k(key)
     GROUP BY k.key ORDER BY decided DESC, k.key`
}
