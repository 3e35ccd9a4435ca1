import { sqlPoolOf, type Db } from '../../db/prisma.ts'
import { UTC_FROM_MS } from '../../db/sql.ts'
import { unwrittenTransactions } from '../api-keys/realtime-usage.ts'
import type { Entitlements } from '../billing/entitlements.ts'
import { limitExceeded } from './limit-error.ts'
import { nextPeriodStart, periodStartOf } from './metering-period.ts'

/**
 * Transactions the user's API keys had accepted this month (all keys together: the
 * quota is per plan), including this process's real-time usage not yet written.
 */
export async function transactionsThisMonth(db: Db, userId: string, now = new Date()): Promise<number> {
  const { rows } = await sqlPoolOf(db).query<{ used: number }>(
    `SELECT COALESCE(sum("transactions"), 0)::float8 AS used FROM "ApiKeyUsage" WHERE "userId" = $1 AND "periodStart" = ${UTC_FROM_MS('$2')}`,
    [userId, periodStartOf(now).getTime()],
  )
  return (rows[0]?.used ?? 0) + unwrittenTransactions(db, userId, now)
}

/**
 * Refuses a request that could take the month's accepted transactions past the plan's
 * `monthlyTxQuota`. `incoming` is what the request may add at most (items sent, or a
 * batch file's rows); usage itself is recorded on what was actually accepted.
 */
export async function assertMonthlyQuota(db: Db, userId: string, entitlements: Entitlements, incoming: number, now = new Date()): Promise<void> {
  const used = await transactionsThisMonth(db, userId, now)
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
