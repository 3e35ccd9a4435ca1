import { AppError, decodeCursor, encodeCursor, type TPullOutput, type TSyncAnomaly } from '@anomalyze/shared'
import type { Db } from '../../db/prisma.ts'
import { countSyncTotal, readSyncPage, readSyncPageJson } from './read-sync-page.ts'

/**
 * Rows written in the last moments may still be invisible to this read while a
 * concurrent transaction commits with an earlier `updatedAt`. Serving only rows
 * older than this margin keeps a cursor from jumping past them.
 */
const SETTLE_MS = 1_000

export interface PullInput {
  cursor: string | null
  limit: number
  withTotal?: boolean
}

/**
 * One page of anomalies changed since `cursor`, oldest change first. The account's
 * total is counted only when asked (`withTotal`, the first page of each sync run):
 * counting 100,000 rows on every page was a tenth of an initial sync.
 */
export async function pullChanges(db: Db, orgId: string, input: PullInput, now = Date.now()): Promise<TPullOutput> {
  const after = decodeInputCursor(input.cursor)
  const [page, rest] = await Promise.all([
    readSyncPage(db, { orgId, after, settledBefore: now - SETTLE_MS, limit: input.limit }),
    pageContext(db, orgId, input),
    mustBeOwnCursor(db, orgId, after),
  ])
  const anomalies = page.anomalies as TSyncAnomaly[]
  const last = anomalies.at(-1)
  return {
    anomalies,
    nextCursor: last ? encodeCursor(last.updatedAt, last.id) : input.cursor,
    hasMore: page.hasMore,
    total: rest.total,
    activeModel: rest.activeModel,
  }
}

/**
 * The same page as pullChanges, as the contract's JSON text (ZPullOutput), with the
 * anomalies spliced in as Postgres wrote them. `queryMs` is the time spent in
 * Postgres, for the Server-Timing header.
 */
export async function pullChangesJson(
  db: Db,
  orgId: string,
  input: PullInput,
  now = Date.now(),
): Promise<{ json: string; count: number; queryMs: number; nextCursor: string | null; hasMore: boolean }> {
  const after = decodeInputCursor(input.cursor)
  const start = performance.now()
  const [page, rest] = await Promise.all([
    readSyncPageJson(db, { orgId, after, settledBefore: now - SETTLE_MS, limit: input.limit }),
    pageContext(db, orgId, input),
    mustBeOwnCursor(db, orgId, after),
  ])
  const queryMs = performance.now() - start
  const nextCursor = page.last ? encodeCursor(page.last.updatedAt, page.last.id) : input.cursor
  // Key order and values as JSON.stringify of a TPullOutput would write them.
  const head = JSON.stringify({ nextCursor, hasMore: page.hasMore, total: rest.total, activeModel: rest.activeModel })
  return { json: `{"anomalies":${page.anomaliesJson},${head.slice(1)}`, count: page.count, queryMs, nextCursor, hasMore: page.hasMore }
}

const NOT_A_CURSOR = 'cursor: not a cursor from sync.pull; start again with cursor null'

/** The decoded cursor (its time bounded like every instant from outside, time-bounds.ts), or BAD_INPUT. */
function decodeInputCursor(cursor: string | null): { updatedAt: number; id: string } | null {
  const after = cursor === null ? null : decodeCursor(cursor)
  if (cursor !== null && after === null) throw new AppError('BAD_INPUT', NOT_A_CURSOR, { field: 'cursor' })
  return after
}

/**
 * A cursor names the last row of a page this account was served (anomalies are never
 * deleted but with their account): one naming another account's row is refused. One
 * primary-key lookup, run beside the page's own statement.
 */
async function mustBeOwnCursor(db: Db, orgId: string, after: { id: string } | null): Promise<void> {
  if (after === null) return
  const own = await db.anomaly.findFirst({ where: { id: after.id, orgId }, select: { id: true } })
  if (own === null) throw new AppError('BAD_INPUT', NOT_A_CURSOR, { field: 'cursor' })
}

async function pageContext(db: Db, orgId: string, input: PullInput): Promise<Pick<TPullOutput, 'total' | 'activeModel'>> {
  const [total, activeModel] = await Promise.all([
    input.withTotal === false ? null : countSyncTotal(db, orgId),
    db.modelArtifact.findFirst({ where: { orgId, isActive: true }, select: { version: true, sha256: true } }),
  ])
  return { total, activeModel }
}
