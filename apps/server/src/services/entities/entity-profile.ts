import { OPEN_CASE_STATUSES, type TEntityProfile, type TEntityRef } from '@anomalyze/shared'
import type { FeatureConfig } from '@anomalyze/shared/engine'
import { Prisma, type Db } from '../../db/prisma.ts'
import { accountFeatureValues, merchantFeatureValues } from './entity-features.ts'
import { entityColumns, msOf } from './entity-sql.ts'

/**
 * Statistics, counterparties and countries are read from the entity's latest
 * SAMPLE_SIZE transactions (one bounded walk down the (orgId, accountId|merchantId,
 * timestamp) index): a busy merchant's profile costs the same as a quiet account's.
 * Shares are of that sample. Counts and first/last seen cover every transaction.
 */
export const SAMPLE_SIZE = 5_000
/** Counterparties, countries and linked entities shown. */
export const TOP = 20
/**
 * Linked entities look at the latest LINK_SCAN transactions of each of the TOP
 * counterparties (at most 40,000 index rows), so one hop stays bounded however busy a
 * merchant is; their alert counts are of that window.
 */
export const LINK_SCAN = 2_000

interface Totals {
  n: bigint
  first: number | null
  last: number | null
}
interface Stats {
  n: bigint
  mean: number | null
  median: number | null
  p95: number | null
  max: number | null
}
interface CountRow {
  id: string
  n: bigint
}
interface LinkRow {
  id: string
  alerts: bigint
  via: string[]
}

/**
 * What an account or merchant usually does and who it is linked to, within the
 * caller's organisation. An entity with no transactions (unknown, or another
 * organisation's) answers an empty profile, not NOT_FOUND: the view shows "nothing yet".
 */
export async function entityProfile(db: Db, orgId: string, entity: TEntityRef, config: FeatureConfig): Promise<TEntityProfile> {
  const cols = entityColumns(entity.type)
  const own = Prisma.sql`t."orgId" = ${orgId} AND ${cols.own} = ${entity.id}`
  const recent = Prisma.sql`
    SELECT t.amount::float8 AS amount, ${cols.other} AS cp, t.country::text AS country
      FROM "Transaction" t WHERE ${own} ORDER BY t.timestamp DESC LIMIT ${SAMPLE_SIZE}`

  const [[totals], [alerts], [stats], counterparties, countries, openCase, state] = await Promise.all([
    db.$queryRaw<Totals[]>`SELECT count(*) AS n, ${msOf('min(t.timestamp)')} AS first, ${msOf('max(t.timestamp)')} AS last FROM "Transaction" t WHERE ${own}`,
    db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM "Transaction" t JOIN "Anomaly" a ON a."transactionId" = t.id AND a."orgId" = ${orgId} WHERE ${own}`,
    db.$queryRaw<Stats[]>`
      SELECT count(*) AS n, avg(amount) AS mean, percentile_cont(0.5) WITHIN GROUP (ORDER BY amount) AS median,
             percentile_cont(0.95) WITHIN GROUP (ORDER BY amount) AS p95, max(amount) AS max
        FROM (${recent}) r`,
    db.$queryRaw<CountRow[]>`SELECT cp AS id, count(*) AS n FROM (${recent}) r GROUP BY cp ORDER BY n DESC, cp LIMIT ${TOP}`,
    db.$queryRaw<CountRow[]>`
      SELECT country AS id, count(*) AS n FROM (${recent}) r WHERE country IS NOT NULL GROUP BY country ORDER BY n DESC, country LIMIT ${TOP}`,
    db.case.findFirst({
      where: { orgId, entityType: entity.type, entityId: entity.id, status: { in: [...OPEN_CASE_STATUSES] }, mergedIntoId: null },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      select: { id: true },
    }),
    entity.type === 'ACCOUNT'
      ? db.accountFeatureState.findUnique({ where: { orgId_accountId: { orgId, accountId: entity.id } }, select: { state: true } })
      : db.merchantFeatureState.findUnique({ where: { orgId_merchantId: { orgId, merchantId: entity.id } }, select: { state: true } }),
  ])

  const sampled = Number(stats?.n ?? 0)
  const share = (rows: CountRow[]) => rows.map((r) => ({ id: r.id, count: Number(r.n), share: Number(r.n) / sampled }))
  const linked = await linkedEntities(
    db,
    orgId,
    entity,
    counterparties.map((c) => c.id),
  )
  return {
    entity,
    firstSeen: totals?.first ?? null,
    lastSeen: totals?.last ?? null,
    transactionCount: Number(totals?.n ?? 0),
    alertCount: Number(alerts?.n ?? 0),
    openCaseId: openCase?.id ?? null,
    amount:
      sampled === 0 || stats === undefined ? null : { mean: Number(stats.mean), median: Number(stats.median), p95: Number(stats.p95), max: Number(stats.max) },
    counterparties: share(counterparties),
    countries: share(countries),
    features: entity.type === 'ACCOUNT' ? accountFeatureValues(state?.state, config) : merchantFeatureValues(state?.state, config),
    linked: linked.map((r) => ({ type: entity.type, id: r.id, alertCount: Number(r.alerts), via: r.via })),
  }
}

/**
 * One hop. For an account: other accounts with alerts at the merchants it used most
 * (`via`: those merchants). For a merchant: its accounts with alerts lead to the other
 * merchants where they have alerts (`via`: those accounts). Most alerts first.
 */
async function linkedEntities(db: Db, orgId: string, entity: TEntityRef, counterparties: string[]): Promise<LinkRow[]> {
  if (counterparties.length === 0) return []
  const cols = entityColumns(entity.type)
  // For a merchant the hop starts at its accounts that had alerts there (not every account).
  const starts =
    entity.type === 'ACCOUNT'
      ? counterparties
      : (
          await db.$queryRaw<{ id: string }[]>`
            SELECT r.cp AS id FROM (
              SELECT t.id, t."accountId" AS cp FROM "Transaction" t
               WHERE t."orgId" = ${orgId} AND t."merchantId" = ${entity.id} ORDER BY t.timestamp DESC LIMIT ${SAMPLE_SIZE}
            ) r JOIN "Anomaly" a ON a."transactionId" = r.id AND a."orgId" = ${orgId}
             GROUP BY r.cp ORDER BY count(*) DESC, r.cp LIMIT ${TOP}`
        ).map((r) => r.id)
  if (starts.length === 0) return []
  // Walking from each start (a counterparty of this entity) along its own index column.
  const startColumn = Prisma.raw(`t."${cols.otherName}"`)
  return db.$queryRaw<LinkRow[]>`
    SELECT x.own AS id, count(*) AS alerts, array_agg(DISTINCT x.start ORDER BY x.start) AS via
      FROM unnest(${starts}::text[]) AS s(id)
      CROSS JOIN LATERAL (
        SELECT t.id, ${cols.own} AS own, ${startColumn} AS start FROM "Transaction" t
         WHERE t."orgId" = ${orgId} AND ${startColumn} = s.id ORDER BY t.timestamp DESC LIMIT ${LINK_SCAN}
      ) x
      JOIN "Anomaly" a ON a."transactionId" = x.id AND a."orgId" = ${orgId}
     WHERE x.own <> ${entity.id}
     GROUP BY x.own ORDER BY alerts DESC, x.own LIMIT ${TOP}`
}
