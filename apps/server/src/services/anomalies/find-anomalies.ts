import { z } from 'zod'
import { AppError, ZAnomalyStatus, ZSeverity } from '@anomalyze/shared'
import type { Db, Prisma } from '../../db/prisma.ts'
import { anomalySelect, toSyncAnomaly } from './anomaly-dto.ts'

export const ZFindAnomaliesInput = z.object({
  severity: z.array(ZSeverity).optional(),
  status: z.array(ZAnomalyStatus).optional(),
  rule: z.string().min(1).optional(),
  accountId: z.string().min(1).optional(),
  from: z.number().int().optional(),
  to: z.number().int().optional(),
  cursor: z.string().uuid().optional(),
  limit: z.number().int().min(1).max(500).default(100),
})

/** Newest first, keyset-paged, always within the caller's rows. */
export async function findAnomalies(db: Db, userId: string, input: z.output<typeof ZFindAnomaliesInput>) {
  if (input.from !== undefined && input.to !== undefined && input.from > input.to) {
    throw new AppError('BAD_INPUT', '"from" must not be after "to"', { field: 'from' })
  }
  const where: Prisma.AnomalyWhereInput = {
    userId,
    ...(input.severity ? { severity: { in: input.severity } } : {}),
    ...(input.status ? { status: { in: input.status } } : {}),
    ...(input.rule ? { ruleViolations: { has: input.rule } } : {}),
    ...(input.accountId ? { transaction: { accountId: input.accountId } } : {}),
    createdAt: {
      ...(input.from !== undefined ? { gte: new Date(input.from) } : {}),
      ...(input.to !== undefined ? { lte: new Date(input.to) } : {}),
    },
  }
  const rows = await db.anomaly.findMany({
    where,
    select: anomalySelect,
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: input.limit + 1,
    ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
  })
  const page = rows.slice(0, input.limit)
  return { items: page.map(toSyncAnomaly), nextCursor: rows.length > input.limit ? (page.at(-1)?.id ?? null) : null }
}

export async function getAnomalyById(db: Db, userId: string, id: string) {
  const row = await db.anomaly.findFirst({ where: { id, userId }, select: anomalySelect })
  if (!row) throw new AppError('NOT_FOUND', `No anomaly with id ${id}`)
  return toSyncAnomaly(row)
}
