import { AppError, decodeCursor, encodeCursor, type TPullOutput } from '@anomalyze/shared'
import type { Db } from '../../db/prisma.ts'
import { anomalySelect, toSyncAnomaly } from '../anomalies/anomaly-dto.ts'

/**
 * Rows written in the last moments may still be invisible to this read while a
 * concurrent transaction commits with an earlier `updatedAt`. Serving only rows
 * older than this margin keeps a cursor from jumping past them.
 */
const SETTLE_MS = 1_000

/** One page of anomalies changed since `cursor`, oldest change first. */
export async function pullChanges(
  db: Db,
  userId: string,
  input: { cursor: string | null; limit: number },
  now = Date.now(),
): Promise<TPullOutput> {
  const after = input.cursor === null ? null : decodeCursor(input.cursor)
  if (input.cursor !== null && after === null) {
    throw new AppError('BAD_INPUT', 'cursor is not one this server issued; start again with cursor null', {
      field: 'cursor',
    })
  }
  const settledBefore = new Date(now - SETTLE_MS)
  const rows = await db.anomaly.findMany({
    where: {
      userId,
      updatedAt: { lt: settledBefore },
      ...(after
        ? {
            OR: [
              { updatedAt: { gt: new Date(after.updatedAt) } },
              { updatedAt: new Date(after.updatedAt), id: { gt: after.id } },
            ],
          }
        : {}),
    },
    select: anomalySelect,
    orderBy: [{ updatedAt: 'asc' }, { id: 'asc' }],
    take: input.limit + 1,
  })
  const page = rows.slice(0, input.limit)
  const last = page.at(-1)
  const [total, activeModel] = await Promise.all([
    db.anomaly.count({ where: { userId } }),
    db.modelArtifact.findFirst({ where: { userId, isActive: true }, select: { version: true, sha256: true } }),
  ])
  return {
    anomalies: page.map(toSyncAnomaly),
    nextCursor: last ? encodeCursor(last.updatedAt.getTime(), last.id) : input.cursor,
    hasMore: rows.length > input.limit,
    total,
    activeModel,
  }
}
