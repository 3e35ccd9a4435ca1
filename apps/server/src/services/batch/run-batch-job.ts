import { Readable } from 'node:stream'
import { AppError, MAPPABLE_FIELDS, type MappableField, type TTransaction } from '@anomalyze/shared'
import { CsvInputError, readTransactionBatches, type CsvRow } from '@anomalyze/shared/node'
import type { WorkerDeps } from '../../jobs/register-workers.ts'
import type { Db, Prisma } from '../../db/prisma.ts'
import { meterUsage } from '../api-keys/record-usage.ts'
import { ingestTransactions, type ItemOutcome } from '../ingestion/ingest-transactions.ts'
import { notifyAnomalies } from '../notifications/notify-worker.ts'
import type { BatchJobData } from './batch-queue.ts'
import { FIRST_ROW_ERRORS, rowErrorsCsv, rowErrorsOf, type BatchRowError } from './batch-row-errors.ts'
import type { StoredColumnMapping } from './create-batch-job.ts'

/** Rows per ingestion transaction: one commit of rows + counters + committedLines. */
export const CHUNK_ROWS = 2_000

export type SliceOutcome = 'finished' | 'continue' | 'gone'

/** Another worker committed this job's progress first: this one stops and leaves it the job. */
class LostClaim extends Error {}

interface SliceOptions {
  sliceMs: number
  /** Rows per committed chunk (tests use small ones to stop mid-file). */
  chunkRows?: number
}

/**
 * Works on one batch job for about `sliceMs`: streams its file from storage, skips
 * what earlier slices committed, and ingests the rest chunk by chunk. Each chunk's rows,
 * the job's counters, its committedLines and the uploading key's usage commit in one
 * database transaction, guarded by the committedLines this slice started from: a
 * crash anywhere leaves either the whole chunk or nothing, and a resumed slice never
 * counts or inserts a row twice.
 */
export async function runBatchSlice(deps: WorkerDeps, data: BatchJobData, options: SliceOptions): Promise<SliceOutcome> {
  const { db, storage, log } = deps
  const started = Date.now()
  const job = await db.batchJob.findUnique({ where: { id: data.batchJobId } })
  if (job === null || job.status === 'COMPLETED' || job.status === 'FAILED') return 'gone'
  const jobLog = log.child({ batchJobId: job.id })
  if (job.status === 'QUEUED') {
    await db.batchJob.updateMany({ where: { id: job.id, status: 'QUEUED' }, data: { status: 'PROCESSING', startedAt: new Date() } })
  }

  const mapping = storedMapping(job.columnMapping)
  const overrides = new Map(Object.entries(mapping.overrides).filter((e): e is [string, MappableField] => isField(e[1])))
  let committedLines = job.committedLines
  let rowErrors: BatchRowError[] = Array.isArray(job.rowErrors) ? (job.rowErrors as unknown as BatchRowError[]) : []
  let rejectedSoFar = job.rejectedRows
  const chunkRows = options.chunkRows ?? CHUNK_ROWS

  const commitChunk = async (rows: CsvRow[]): Promise<void> => {
    const last = rows[rows.length - 1]
    if (!last) return
    const items: TTransaction[] = []
    const lines: number[] = []
    const errors: BatchRowError[] = []
    for (const row of rows) {
      if (row.result.ok) {
        items.push(row.result.transaction)
        lines.push(row.line)
      } else {
        errors.push(...rowErrorsOf(row.line, row.result))
      }
    }
    const converterRejected = rows.length - items.length
    const expected = committedLines
    const result = await ingestTransactions(db, job.userId, items, {
      source: 'BATCH_CSV',
      batchJobId: job.id,
      onCommit: async (sql, outcomes) => {
        const counts = countOutcomes(outcomes)
        for (const o of outcomes) {
          if (o.outcome === 'rejected') for (const e of o.errors) errors.push({ line: lines[o.index] ?? 0, field: e.field, message: e.message })
        }
        errors.sort((a, b) => a.line - b.line)
        const firstErrors = rowErrors.length < FIRST_ROW_ERRORS ? [...rowErrors, ...errors].slice(0, FIRST_ROW_ERRORS) : rowErrors
        const updated = await sql.query(
          `UPDATE "BatchJob"
           SET "committedLines" = $3, "processedRows" = "processedRows" + $4, "acceptedRows" = "acceptedRows" + $5,
               "duplicateRows" = "duplicateRows" + $6, "rejectedRows" = "rejectedRows" + $7,
               "rowErrors" = COALESCE($8::jsonb, "rowErrors")
           WHERE "id" = $1 AND "status" = 'PROCESSING' AND "committedLines" = $2`,
          [
            job.id,
            expected,
            last.line,
            rows.length,
            counts.accepted,
            counts.duplicate,
            counts.rejected + converterRejected,
            firstErrors === rowErrors ? null : JSON.stringify(firstErrors),
          ],
        )
        if (updated.rowCount !== 1) throw new LostClaim()
        if (data.apiKeyId && counts.accepted > 0) {
          // Requests were metered when the file was uploaded; here only the rows.
          await meterUsage(sql, { userId: job.userId, apiKeyId: data.apiKeyId, requests: 0, transactions: counts.accepted })
        }
        rowErrors = firstErrors
        rejectedSoFar += counts.rejected + converterRejected
      },
    })
    committedLines = last.line
    // Alerts for this chunk's anomalies, as for real-time ingestion (never throws).
    await notifyAnomalies(deps.jobs, job.userId, result.anomalies.map((a) => a.id), jobLog)
  }

  let input
  try {
    input = await storage.get(job.r2Key)
  } catch (error) {
    if (error instanceof AppError && error.code === 'NOT_FOUND') return fail(db, job.id, 'The uploaded file is no longer in storage: upload it again.')
    throw error
  }
  try {
    let pending: CsvRow[] = []
    let mappingSaved = mapping.resolved !== undefined
    const batches = readTransactionBatches(input, {
      overrides,
      skipThroughLine: committedLines,
      onHeader: (resolved) => {
        if (mapping.resolved !== undefined) return
        // Kept for the console: which column fed which field.
        mapping.resolved = Object.fromEntries(
          Object.entries(resolved.mapping).map(([field, index]) => [field, resolved.headers[index as number] ?? '']),
        )
      },
    })
    for await (const batch of batches) {
      if (!mappingSaved && mapping.resolved !== undefined) {
        await db.batchJob.update({ where: { id: job.id }, data: { columnMapping: { ...mapping } } })
        mappingSaved = true
      }
      for (const row of batch) {
        pending.push(row)
        if (pending.length >= chunkRows) {
          await commitChunk(pending)
          pending = []
          if (Date.now() - started >= options.sliceMs) {
            input.destroy()
            jobLog.info({ committedLines, ms: Date.now() - started }, 'batch slice done, continuing in a new job')
            return 'continue'
          }
        }
      }
    }
    await commitChunk(pending)
  } catch (error) {
    input.destroy()
    if (error instanceof LostClaim) {
      jobLog.warn('another worker advanced this batch job: leaving it to that worker')
      return 'gone'
    }
    if (error instanceof CsvInputError) return fail(db, job.id, error.message)
    throw error
  }

  let rowErrorsKey: string | null = null
  if (rejectedSoFar > 0) {
    rowErrorsKey = `users/${job.userId}/batches/${job.id}-errors.csv`
    await storage.put(rowErrorsKey, await errorsStream(deps, job.r2Key, overrides), { contentType: 'text/csv' })
  }
  const done = await db.batchJob.updateMany({
    where: { id: job.id, status: 'PROCESSING', committedLines },
    data: { status: 'COMPLETED', completedAt: new Date(), rowErrorsKey },
  })
  // The counted rows are the truth once the whole file is read (the upload's count skips nothing but blank lines).
  await db.$executeRaw`UPDATE "BatchJob" SET "totalRows" = "processedRows" WHERE id = ${job.id} AND status = 'COMPLETED'`
  if (done.count === 1) jobLog.info({ ms: Date.now() - started }, 'batch job completed')
  return 'finished'
}

async function errorsStream(deps: WorkerDeps, key: string, overrides: ReadonlyMap<string, MappableField>): Promise<Readable> {
  return Readable.from(rowErrorsCsv(await deps.storage.get(key), overrides))
}

/** Ends a job that cannot go on, with a reason the user can act on. */
export async function fail(db: Db, id: string, reason: string): Promise<SliceOutcome> {
  await db.batchJob.updateMany({
    where: { id, status: { in: ['QUEUED', 'PROCESSING'] } },
    data: { status: 'FAILED', failureReason: reason, completedAt: new Date() },
  })
  return 'finished'
}

function countOutcomes(outcomes: readonly ItemOutcome[]): { accepted: number; duplicate: number; rejected: number } {
  const counts = { accepted: 0, duplicate: 0, rejected: 0 }
  for (const o of outcomes) counts[o.outcome] += 1
  return counts
}

/** Batch rows count towards the plan's monthly quota like API rows, on the uploading key. */
function storedMapping(value: Prisma.JsonValue | null): StoredColumnMapping {
  const v = value as Partial<StoredColumnMapping> | null
  return { overrides: v?.overrides ?? {}, ...(v?.resolved ? { resolved: v.resolved } : {}) }
}

function isField(value: string): value is MappableField {
  return (MAPPABLE_FIELDS as readonly string[]).includes(value)
}
