import { AppError, decodeCursor, encodeCursor, type TPullOutput, type TSyncAnomaly } from '@anomalyze/shared'
import type { Db } from '../../db/prisma.ts'
import { countSyncTotal, readSyncPage } from './read-sync-page.ts'

/**
 * Rows written in the last moments may still be invisible to this read while a
 * concurrent transaction commits with an earlier `updatedAt`. Serving only rows
 * older than this margin keeps a cursor from jumping past them.
 */
const SETTLE_MS = 1_000

/**
 * One page of anomalies changed since `cursor`, oldest change first. The account's
 * total is counted only when asked (`withTotal`, the first page of each sync run):
 * counting 100,000 rows on every page was a tenth of an initial sync.
 */
export async function pullChanges(
  db: Db,
  userId: string,
  input: { cursor: string | null; limit: number; withTotal?: boolean },
  now = Date.now(),
): Promise<TPullOutput> {
  const after = input.cursor === null ? null : decodeCursor(input.cursor)
  if (input.cursor !== null && after === null) {
    throw new AppError('BAD_INPUT', 'cursor is not one this server issued; start again with cursor null', {
      field: 'cursor',
    })
  }
  const [page, total, activeModel] = await Promise.all([
    readSyncPage(db, { userId, after, settledBefore: now - SETTLE_MS, limit: input.limit }),
    input.withTotal === false ? null : countSyncTotal(db, userId),
    db.modelArtifact.findFirst({ where: { userId, isActive: true }, select: { version: true, sha256: true } }),
  ])
  const anomalies = page.anomalies as TSyncAnomaly[]
  const last = anomalies.at(-1)
  return {
    anomalies,
    nextCursor: last ? encodeCursor(last.updatedAt, last.id) : input.cursor,
    hasMore: page.hasMore,
    total,
    activeModel,
  }
}
