import { Prisma, sqlPoolOf, type Db } from '../../db/prisma.ts'

export interface SyncPageQuery {
  orgId: string
  /** Last row of the previous page (the decoded cursor), or null for the first page. */
  after: { updatedAt: number; id: string } | null
  /** Epoch ms: only rows changed before this are served (see SETTLE_MS). */
  settledBefore: number
  limit: number
}

/**
 * Epoch milliseconds of a `timestamp(3)` column, which Prisma stores as UTC wall
 * time: extract(epoch) of a timestamp without time zone is exactly that instant.
 */
const ms = (column: string): Prisma.Sql => Prisma.raw(`(extract(epoch FROM ${column}) * 1000)::int8`)
/** The inverse, exact to the millisecond (to_timestamp goes through a double). */
const timestampOf = (epochMs: number): Prisma.Sql => Prisma.sql`('epoch'::timestamp + ${epochMs}::int8 * interval '1 millisecond')`

/** One page as Postgres wrote it: the contract's anomalies as JSON text, never parsed by the server. */
export interface SyncPageJson {
  /** A JSON array of ZSyncAnomaly (packages/shared/src/sync/contract.ts). */
  anomaliesJson: string
  count: number
  hasMore: boolean
  /** The page's last row, for the next cursor; null for an empty page. */
  last: { updatedAt: number; id: string } | null
}

/**
 * One page in one statement: a keyset scan of (orgId, updatedAt, id) for `limit + 1`
 * rows (the extra one only says whether there is more), the transaction and the
 * latest decision joined in, and Postgres building the contract's JSON
 * (packages/shared/src/sync/contract.ts, ZSyncAnomaly) as one text value. Prisma's
 * findMany with the relations cost about 0.4 s per 1,000 rows here (one query per
 * relation, a JS object per column), this statement about a quarter of that
 * (bench:desktop, loaded machine).
 *
 * The feature vector ingestion keeps in explanationData.features travels in its own
 * `features` field (desktops re-score with it when the active model changes), and
 * only when it is an array without nulls: ingestion writes numbers, and a NaN as
 * null (JSON has no NaN), which would fail the desktop's contract check. The
 * containment test is free next to the JSON building; a jsonpath "every element is a
 * number" test cost 1.3 s per 100,000 rows.
 *
 * The text is sent on as it is (GET /sync/pull, http/routes/sync-pull.ts): parsing
 * it, validating it and serialising it again cost the server more CPU than
 * Postgres spent building it.
 */
export async function readSyncPageJson(db: Db, q: SyncPageQuery): Promise<SyncPageJson> {
  const afterCursor = q.after === null ? Prisma.empty : Prisma.sql`AND (a."updatedAt", a."id") > (${timestampOf(q.after.updatedAt)}, ${q.after.id})`
  // The transaction and the latest decision are scalar subqueries: one index lookup
  // per row. As joins, the planner hashed the page and scanned every transaction of
  // the account for each page (100,000 rows read to serve 1,000).
  const statement = Prisma.sql`
    WITH page AS (
      SELECT a.*, row_number() OVER (ORDER BY a."updatedAt", a."id") AS rn
      FROM "Anomaly" a
      WHERE a."orgId" = ${q.orgId} AND a."updatedAt" < ${timestampOf(q.settledBefore)} ${afterCursor}
      ORDER BY a."updatedAt", a."id"
      LIMIT ${q.limit + 1}::int
    )
    SELECT count(*) > ${q.limit}::int AS "hasMore",
      count(*) FILTER (WHERE p.rn <= ${q.limit}::int)::int AS "count",
      (array_agg(p."id" ORDER BY p.rn DESC) FILTER (WHERE p.rn <= ${q.limit}::int))[1] AS "lastId",
      max(${ms('p."updatedAt"')}) FILTER (WHERE p.rn <= ${q.limit}::int) AS "lastUpdatedAt",
      coalesce(json_agg(json_build_object(
        'id', p."id",
        'transaction', (
          SELECT json_build_object(
            'id', t."id", 'txId', t."txId", 'timestamp', ${ms('t."timestamp"')}, 'amount', t."amount"::float8,
            'currency', t."currency", 'accountId', t."accountId", 'merchantId', t."merchantId",
            'category', t."category", 'country', t."country", 'channel', t."channel")
          FROM "Transaction" t WHERE t."id" = p."transactionId"),
        'score', p."score",
        'severity', p."severity",
        'ruleViolations', coalesce(p."ruleViolations", '{}'::text[]),
        'explanation', p."explanation",
        'explanationData', CASE WHEN jsonb_typeof(p."explanationData") = 'object' THEN p."explanationData" - 'features' ELSE p."explanationData" END,
        'features', CASE WHEN jsonb_typeof(p."explanationData" -> 'features') = 'array'
                          AND NOT (p."explanationData" -> 'features') @> '[null]'::jsonb
                    THEN p."explanationData" -> 'features' END,
        'modelVersion', p."modelVersion",
        'status', p."status",
        'isFalsePositive', p."isFalsePositive",
        'caseId', p."caseId",
        'latestDecision', (
          SELECT json_build_object('label', l."label", 'note', l."note", 'decidedBy', l."decidedBy", 'decidedAt', ${ms('l."decidedAt"')},
                                   'mutationId', l."mutationId", 'decidedById', l."decidedById")
          FROM "AnomalyLabel" l WHERE l."anomalyId" = p."id" AND l."supersededAt" IS NULL
          ORDER BY l."decidedAt" DESC, l."mutationId" DESC
          LIMIT 1),
        'createdAt', ${ms('p."createdAt"')},
        'updatedAt', ${ms('p."updatedAt"')}
      ) ORDER BY p.rn) FILTER (WHERE p.rn <= ${q.limit}::int), '[]')::text AS anomalies
    FROM page p`
  // Straight to pg: through Prisma's engine the same statement took about 40 ms
  // longer per page, mostly handling the one large text value.
  const { rows } = await sqlPoolOf(db).query<{ hasMore: boolean; count: number; lastId: string | null; lastUpdatedAt: string | null; anomalies: string }>(
    statement.text,
    statement.values,
  )
  const row = rows[0]
  if (row === undefined) return { anomaliesJson: '[]', count: 0, hasMore: false, last: null }
  const last = row.lastId === null || row.lastUpdatedAt === null ? null : { id: row.lastId, updatedAt: Number(row.lastUpdatedAt) }
  return { anomaliesJson: row.anomalies, count: row.count, hasMore: row.hasMore, last }
}

/** The same page parsed, for the tRPC procedure (sync.pull), which older desktops call. */
export async function readSyncPage(db: Db, q: SyncPageQuery): Promise<{ anomalies: unknown[]; hasMore: boolean }> {
  const page = await readSyncPageJson(db, q)
  const anomalies = JSON.parse(page.anomaliesJson) as Array<{ features: unknown }>
  for (const a of anomalies) if (!isNumberArray(a.features)) a.features = null
  return { anomalies, hasMore: page.hasMore }
}

/** A vector with anything but finite numbers in it is left out, not sent to fail the desktop's contract check. */
function isNumberArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((x) => typeof x === 'number' && Number.isFinite(x))
}

/** Anomalies the account has, for the progress bar of a sync run. */
export function countSyncTotal(db: Db, orgId: string): Promise<number> {
  return db.anomaly.count({ where: { orgId } })
}
