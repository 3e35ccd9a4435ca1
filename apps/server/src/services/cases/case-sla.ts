import { DEFAULT_CASE_SLA_MINUTES, SEVERITIES, type CaseSla, type Severity } from '@anomalyze/shared'
import type { Db, Prisma } from '../../db/prisma.ts'
import { OPEN_CASE_STATUS_SQL, timestampOfMs } from './case-sql.ts'

/**
 * The organisation's SLA per case priority: its CaseSla rows over the product's
 * defaults (a severity it never set keeps DEFAULT_CASE_SLA_MINUTES).
 */
export async function loadCaseSla(db: Db | Prisma.TransactionClient, orgId: string): Promise<CaseSla> {
  const rows = await db.caseSla.findMany({ where: { orgId }, select: { severity: true, minutes: true } })
  return mergeCaseSla(rows)
}

/** Pure: rows over the defaults. */
export function mergeCaseSla(rows: readonly { severity: Severity; minutes: number }[]): CaseSla {
  const sla: CaseSla = { ...DEFAULT_CASE_SLA_MINUTES }
  for (const row of rows) sla[row.severity] = row.minutes
  return sla
}

/** The severities whose minutes `next` changes against `current`, in severity order. */
export function changedSeverities(current: CaseSla, next: Partial<CaseSla>): Severity[] {
  return SEVERITIES.filter((severity) => next[severity] !== undefined && next[severity] !== current[severity])
}

export interface SavedCaseSla {
  sla: CaseSla
  /** Open cases whose due time moved. */
  recomputed: number
}

/**
 * Stores the given minutes (bounds are the caller's input schema's job) and moves the
 * due time of the organisation's open, unmerged cases of each changed priority to
 * createdAt + the new SLA. Those cases get a fresh updatedAt so consoles pull the new
 * due time, and a case whose new due time is ahead of `now` may breach (and be
 * notified) again. Run it inside the caller's transaction, so the SLA and the due
 * times it implies commit together.
 */
export async function saveCaseSla(tx: Prisma.TransactionClient, orgId: string, next: Partial<CaseSla>, now: Date = new Date()): Promise<SavedCaseSla> {
  const current = await loadCaseSla(tx, orgId)
  const changed = changedSeverities(current, next)
  let recomputed = 0
  for (const severity of changed) {
    const minutes = next[severity]!
    await tx.caseSla.upsert({ where: { orgId_severity: { orgId, severity } }, create: { orgId, severity, minutes }, update: { minutes } })
    // $3 is `now` (is the new due time still ahead?), $4 the wall clock (the sync cursor, as Prisma stamps updatedAt).
    recomputed += await tx.$executeRawUnsafe(
      `UPDATE "Case" SET
         "dueAt" = "createdAt" + make_interval(mins => $2::int),
         "breachNotifiedAt" = CASE WHEN "createdAt" + make_interval(mins => $2::int) > ${timestampOfMs('$3')} THEN NULL ELSE "breachNotifiedAt" END,
         "updatedAt" = ${timestampOfMs('$4')}
       WHERE "orgId" = $1 AND "priority" = $5::"Severity" AND "mergedIntoId" IS NULL AND "status" IN ${OPEN_CASE_STATUS_SQL}
         AND "dueAt" IS DISTINCT FROM "createdAt" + make_interval(mins => $2::int)`,
      orgId,
      minutes,
      now.getTime(),
      Date.now(),
      severity,
    )
    current[severity] = minutes
  }
  return { sla: current, recomputed }
}
