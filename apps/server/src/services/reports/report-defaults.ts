import type { Db } from '../../db/prisma.ts'

/**
 * The months a new report should start from: where the organisation's data is, not
 * the calendar (demo or imported data often lies months back, and an empty default
 * month reads as "nothing happened"). Each is "YYYY-MM" (UTC), null when there is
 * nothing of that kind yet (the console then falls back to the current month).
 */
export interface ReportDefaults {
  /** The month of the latest transaction: anomaly exports and summaries are dated by transaction time. */
  latestMonth: string | null
  /** The month of the latest analyst decision to reach the server (decision exports are dated by decision time). */
  decisionsMonth: string | null
  /** The month a case last changed in (a case belongs to every month it was open in). */
  casesMonth: string | null
}

const monthOf = (date: Date | undefined): string | null => (date === undefined ? null : date.toISOString().slice(0, 7))

/** Three single-row reads, each along an (orgId, time) index. */
export async function reportDefaults(db: Db, orgId: string): Promise<ReportDefaults> {
  const [transaction, decision, changedCase] = await Promise.all([
    db.transaction.findFirst({ where: { orgId }, orderBy: { timestamp: 'desc' }, select: { timestamp: true } }),
    // Indexed by arrival (createdAt); the decision's own time is what the export filters on.
    db.anomalyLabel.findFirst({ where: { orgId }, orderBy: { createdAt: 'desc' }, select: { decidedAt: true } }),
    db.case.findFirst({ where: { orgId }, orderBy: { updatedAt: 'desc' }, select: { updatedAt: true } }),
  ])
  return {
    latestMonth: monthOf(transaction?.timestamp),
    decisionsMonth: monthOf(decision?.decidedAt),
    casesMonth: monthOf(changedCase?.updatedAt),
  }
}
