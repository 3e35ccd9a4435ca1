import { toSafeText } from '@anomalyze/shared'
import type { Db, Prisma } from '../../db/prisma.ts'
import type { SqlClient } from '../../db/sql.ts'
import type { BatchRowError } from './batch-row-errors.ts'

/**
 * The BatchJob row as a batch slice moves it along: QUEUED -> PROCESSING, one guarded
 * step per committed chunk, then COMPLETED or FAILED. The per-chunk step is plain SQL on
 * the ingestion transaction's client (it commits with the chunk's rows); the rest is
 * Prisma on the database passed in.
 */

/** Marks a queued job as started (no-op when another slice already did). */
export async function markBatchJobStarted(db: Db, id: string): Promise<void> {
  await db.batchJob.updateMany({ where: { id, status: 'QUEUED' }, data: { status: 'PROCESSING', startedAt: new Date() } })
}

/** Keeps the column mapping the file's header resolved to (shown by the console). */
export async function saveColumnMapping(db: Db, id: string, columnMapping: Prisma.InputJsonValue): Promise<void> {
  await db.batchJob.update({ where: { id }, data: { columnMapping } })
}

export interface ChunkProgress {
  /** The committedLines this slice started the chunk from: the claim. */
  expectedLines: number
  /** The chunk's last line, the job's new committedLines. */
  lastLine: number
  processed: number
  accepted: number
  duplicate: number
  rejected: number
  /** The job's first row errors when they changed, else null (kept as they are). */
  firstErrors: BatchRowError[] | null
}

/**
 * Adds one chunk to the job's counters, in the chunk's own transaction, guarded by the
 * committedLines the slice started from. False: another worker advanced the job first.
 */
export async function advanceBatchJob(sql: SqlClient, id: string, chunk: ChunkProgress): Promise<boolean> {
  const updated = await sql.query(
    `UPDATE "BatchJob"
     SET "committedLines" = $3, "processedRows" = "processedRows" + $4, "acceptedRows" = "acceptedRows" + $5,
         "duplicateRows" = "duplicateRows" + $6, "rejectedRows" = "rejectedRows" + $7,
         "rowErrors" = COALESCE($8::jsonb, "rowErrors"), "failureReason" = NULL
     WHERE "id" = $1 AND "status" = 'PROCESSING' AND "committedLines" = $2`,
    [
      id,
      chunk.expectedLines,
      chunk.lastLine,
      chunk.processed,
      chunk.accepted,
      chunk.duplicate,
      chunk.rejected,
      chunk.firstErrors === null ? null : JSON.stringify(chunk.firstErrors),
    ],
  )
  return updated.rowCount === 1
}

/**
 * Completes a job whose whole file is committed (guarded by that committedLines). The
 * counted rows become its total: the upload's count skips nothing but blank lines.
 * True when this call completed it.
 */
export async function completeBatchJob(db: Db, id: string, committedLines: number, rowErrorsKey: string | null): Promise<boolean> {
  const done = await db.batchJob.updateMany({
    where: { id, status: 'PROCESSING', committedLines },
    data: { status: 'COMPLETED', completedAt: new Date(), rowErrorsKey, failureReason: null },
  })
  await db.$executeRaw`UPDATE "BatchJob" SET "totalRows" = "processedRows" WHERE id = ${id} AND status = 'COMPLETED'`
  return done.count === 1
}

/** Ends a job that cannot go on, with a reason the user can act on. */
export async function markBatchJobFailed(db: Db, id: string, reason: string): Promise<void> {
  await db.batchJob.updateMany({
    where: { id, status: { in: ['QUEUED', 'PROCESSING'] } },
    data: { status: 'FAILED', failureReason: toSafeText(reason, 1_000), completedAt: new Date() },
  })
}

/**
 * Says on a job still in progress why it is not moving (the last error, and that it will
 * be retried): shown as the job's failureReason until the next chunk commits, which clears it.
 */
export async function noteRetry(db: Db, id: string, reason: string): Promise<void> {
  await db.batchJob.updateMany({ where: { id, status: { in: ['QUEUED', 'PROCESSING'] } }, data: { failureReason: toSafeText(reason, 1_000) } })
}
