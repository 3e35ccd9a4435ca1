import { sqlPoolOf, type Db } from '../../db/prisma.ts'
import { UTC_FROM_MS } from '../../db/sql.ts'
import { unwrittenTransactions } from './realtime-usage.ts'
import type { Entitlements } from '../billing/entitlements.ts'
import { limitExceeded } from './limit-error.ts'
import { nextPeriodStart, periodStartOf } from './metering-period.ts'

/**
 * Transactions the organisation had accepted this month, through its API keys and its
 * members' sessions together (the quota is per plan), including this process's
 * real-time usage not yet written.
 */
export async function transactionsThisMonth(db: Db, orgId: string, now = new Date()): Promise<number> {
  const { rows } = await sqlPoolOf(db).query<{ used: number }>(`SELECT ${writtenUsageSql('$1', '$2')} AS used`, [orgId, periodStartOf(now).getTime()])
  return (rows[0]?.used ?? 0) + unwrittenTransactions(db, orgId, now)
}

/**
 * Scalar subquery: transactions written to ApiKeyUsage and SessionUsage for an
 * organisation and period (`org` and `periodMs` are SQL expressions, the period's start
 * in epoch ms).
 */
export function writtenUsageSql(org: string, periodMs: string): string {
  return `((SELECT COALESCE(sum("transactions"), 0)::float8 FROM "ApiKeyUsage" WHERE "orgId" = ${org} AND "periodStart" = ${UTC_FROM_MS(periodMs)})
          + COALESCE((SELECT "transactions"::float8 FROM "SessionUsage" WHERE "orgId" = ${org} AND "periodStart" = ${UTC_FROM_MS(periodMs)}), 0))`
}

/**
 * Refuses a request that could take the month's accepted transactions past the plan's
 * `monthlyTxQuota`. `incoming` is what the request may add at most (items sent, or a
 * batch file's rows); usage itself is recorded on what was actually accepted.
 */
export async function assertMonthlyQuota(db: Db, orgId: string, entitlements: Entitlements, incoming: number, now = new Date()): Promise<void> {
  assertQuotaLeft(await transactionsThisMonth(db, orgId, now), entitlements, incoming, now)
}

/** The quota check itself, for a month's use already read. */
export function assertQuotaLeft(used: number, entitlements: Entitlements, incoming: number, now: Date): void {
  const allowed = entitlements.monthlyTxQuota
  if (used + incoming <= allowed) return
  const left = Math.max(0, allowed - used)
  throw limitExceeded(
    `Monthly transaction quota reached: the ${entitlements.planName} plan includes ${allowed} transactions a month, ${used} are used and this request carries ${incoming} (${left} left).`,
    {
      limit: 'monthly_transactions',
      allowed,
      current: used,
      resetsAt: nextPeriodStart(now).toISOString(),
      planId: entitlements.planId,
    },
  )
}
