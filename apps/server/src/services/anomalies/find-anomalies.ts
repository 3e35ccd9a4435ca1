import { z } from 'zod'
import { AppError, ZAnomalyStatus, zSafeText, ZSeverity, zTimeMs } from '@anomalyze/shared'
import type { Db, Prisma } from '../../db/prisma.ts'
import { anomalySelect, toSyncAnomaly } from './anomaly-dto.ts'

export const ZFindAnomaliesInput = z.object({
  severity: z.array(ZSeverity).optional(),
  status: z.array(ZAnomalyStatus).optional(),
  // Text Postgres can compare (no NUL, no lone surrogate): refused by field, never a failed statement.
  rule: zSafeText(100, { min: 1 }).optional(),
  accountId: zSafeText(200, { min: 1 }).optional(),
  /** Epoch ms on the anomaly's creation time, both inclusive (1970..9999: time-bounds.ts). */
  from: zTimeMs().optional(),
  to: zTimeMs().optional(),
  /** nextCursor of the previous page: the id of its last row, one of the caller's anomalies. */
  cursor: z.string().uuid().optional(),
  limit: z.number().int().min(1).max(500).default(100),
})

/** Newest first, keyset-paged, always within the caller's rows. */
export async function findAnomalies(db: Db, orgId: string, input: z.output<typeof ZFindAnomaliesInput>) {
  if (input.from !== undefined && input.to !== undefined && input.from > input.to) {
    throw new AppError('BAD_INPUT', '"from" must not be after "to"', { field: 'from' })
  }
  const after = input.cursor === undefined ? null : await cursorRow(db, orgId, input.cursor)
  const where: Prisma.AnomalyWhereInput = {
    orgId,
    ...(input.severity ? { severity: { in: input.severity } } : {}),
    ...(input.status ? { status: { in: input.status } } : {}),
    ...(input.rule ? { ruleViolations: { has: input.rule } } : {}),
    ...(input.accountId ? { transaction: { accountId: input.accountId } } : {}),
    createdAt: {
      ...(input.from !== undefined ? { gte: new Date(input.from) } : {}),
      ...(input.to !== undefined ? { lte: new Date(input.to) } : {}),
    },
    ...(after === null ? {} : { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] }),
  }
  const rows = await db.anomaly.findMany({
    where,
    select: anomalySelect,
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: input.limit + 1,
  })
  const page = rows.slice(0, input.limit)
  return { items: page.map(toSyncAnomaly), nextCursor: rows.length > input.limit ? (page.at(-1)?.id ?? null) : null }
}

/**
 * The row a cursor points at, which must be one of the caller's: another account's id
 * would otherwise position this page by that row's time (and tell it).
 */
async function cursorRow(db: Db, orgId: string, cursor: string): Promise<{ id: string; createdAt: Date }> {
  const row = await db.anomaly.findFirst({ where: { id: cursor, orgId }, select: { id: true, createdAt: true } })
  if (!row) throw new AppError('BAD_INPUT', 'cursor: not a cursor from anomalies.list; start again without one', { field: 'cursor' })
  return row
}

export async function getAnomalyById(db: Db, orgId: string, id: string) {
  const row = await db.anomaly.findFirst({ where: { id, orgId }, select: anomalySelect })
  if (!row) throw new AppError('NOT_FOUND', `No anomaly with id ${id}`)
  return toSyncAnomaly(row)
}
