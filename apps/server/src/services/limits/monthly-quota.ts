import type { Db } from '../../db/prisma.ts'
import type { Entitlements } from '../billing/entitlements.ts'
import { limitExceeded } from './limit-error.ts'

/** First instant of the calendar month (UTC) `now` falls in: the metering period. */
export function periodStartOf(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))
}

function nextPeriodStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1))
}

/** Transactions the user's API keys had accepted this month (all keys together: the quota is per plan). */
export async function transactionsThisMonth(db: Db, userId: string, now = new Date()): Promise<number> {
  const sum = await db.apiKeyUsage.aggregate({ where: { userId, periodStart: periodStartOf(now) }, _sum: { transactions: true } })
  return sum._sum.transactions ?? 0
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
