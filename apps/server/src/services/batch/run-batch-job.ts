import { Readable } from 'node:stream'
import { AppError, toSafeText, type TTransaction } from '@anomalyze/shared'
import { MAPPABLE_FIELDS, type MappableField } from '@anomalyze/shared/engine'
import { CsvInputError, csvLine, readTransactionBatches, type CsvRow } from '@anomalyze/shared/node'
import type { WorkerDeps } from '../service-deps.ts'
import type { Db, Prisma } from '../../db/prisma.ts'
import { meterUsage } from '../limits/record-usage.ts'
import { isDataError, refusedByDatabase } from '../ingestion/data-errors.ts'
import { ingestTransactions, type ItemOutcome } from '../ingestion/ingest-transactions.ts'
import { notifyAnomalies } from '../notifications/notify-worker.ts'
import type { BatchJobData } from './batch-queue.ts'
import { advanceBatchJob, completeBatchJob, markBatchJobFailed, markBatchJobStarted, saveColumnMapping } from './batch-job-store.ts'
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
  const { db, storage, models, log } = deps
  const started = Date.now()
  const job = await db.batchJob.findUnique({ where: { id: data.batchJobId } })
  if (job === null || job.status === 'COMPLETED' || job.status === 'FAILED') return 'gone'
  const jobLog = log.child({ batchJobId: job.id })
  if (job.status === 'QUEUED') await markBatchJobStarted(db, job.id)

  const mapping = storedMapping(job.columnMapping)
  const overrides = new Map(Object.entries(mapping.overrides).filter((e): e is [string, MappableField] => isField(e[1])))
  let committedLines = job.committedLines
  let rowErrors: BatchRowError[] = Array.isArray(job.rowErrors) ? (job.rowErrors as unknown as BatchRowError[]) : []
  let rejectedSoFar = job.rejectedRows
  const chunkRows = options.chunkRows ?? CHUNK_ROWS

  const refusedKey = refusedRowsKey(job.orgId, job.id)
  // `refused`: rows of `rows` the database would not store (see storeRows), rejected
  // with that reason instead of being ingested.
  const commitChunk = async (rows: CsvRow[], refused: ReadonlyMap<number, string> = NONE_REFUSED): Promise<void> => {
    const last = rows[rows.length - 1]
    if (!last) return
    const items: TTransaction[] = []
    const lines: number[] = []
    const errors: BatchRowError[] = []
    for (const row of rows) {
      const reason = refused.get(row.line)
      if (reason !== undefined) {
        errors.push({ line: row.line, field: 'row', message: reason })
      } else if (row.result.ok) {
        items.push(row.result.transaction)
        lines.push(row.line)
      } else {
        errors.push(...rowErrorsOf(row.line, row.result))
      }
    }
    if (refused.size > 0) {
      // Kept beside the file for the errors file, which is otherwise derived from the
      // file alone (see batch-row-errors.ts): written before the commit, keyed by line,
      // so a chunk committed again after a crash lists its rows once.
      await saveRefusedRows(
        storage,
        refusedKey,
        errors.filter((e) => refused.has(e.line)),
      )
    }
    const converterRejected = rows.length - items.length
    const expected = committedLines
    // What this commit changes in this slice's view of the job, applied only once the
    // transaction has committed: a statement failing after onCommit ran rolls it back,
    // and the chunk may then be stored again in halves (see storeRows).
    let committed: { firstErrors: BatchRowError[]; rejected: number } | undefined
    const result = await ingestTransactions(db, models, job.orgId, items, {
      source: 'BATCH_CSV',
      batchJobId: job.id,
      // Cases a batch opens go round-robin like real-time ones, and their assignees are told.
      jobs: deps.jobs,
      log,
      onCommit: async (sql, outcomes) => {
        const counts = countOutcomes(outcomes)
        for (const o of outcomes) {
          if (o.outcome === 'rejected') for (const e of o.errors) errors.push({ line: lines[o.index] ?? 0, field: e.field, message: e.message })
        }
        errors.sort((a, b) => a.line - b.line)
        // Messages may quote what the file holds: made storable (no NUL, no lone surrogate) for jsonb.
        const firstErrors =
          rowErrors.length < FIRST_ROW_ERRORS ? [...rowErrors, ...errors.slice(0, FIRST_ROW_ERRORS - rowErrors.length).map(storableError)] : rowErrors
        const advanced = await advanceBatchJob(sql, job.id, {
          expectedLines: expected,
          lastLine: last.line,
          processed: rows.length,
          accepted: counts.accepted,
          duplicate: counts.duplicate,
          rejected: counts.rejected + converterRejected,
          firstErrors: firstErrors === rowErrors ? null : firstErrors,
        })
        if (!advanced) throw new LostClaim()
        if (counts.accepted > 0) {
          // Requests were metered when the file was uploaded; here only the rows, on the
          // uploading key or (console uploads) the organisation's member sessions.
          await meterUsage(sql, { orgId: job.orgId, apiKeyId: data.apiKeyId, requests: 0, transactions: counts.accepted })
        }
        committed = { firstErrors, rejected: counts.rejected + converterRejected }
      },
    })
    if (committed) {
      rowErrors = committed.firstErrors
      rejectedSoFar += committed.rejected
    }
    committedLines = last.line
    // Alerts for this chunk's anomalies, as for real-time ingestion (never throws).
    await notifyAnomalies(
      deps.jobs,
      job.orgId,
      result.anomalies.map((a) => a.id),
      jobLog,
    )
  }

  /**
   * Commits `rows`. A data error from the database (a row it refuses to store, see
   * isDataError) is not an outage: retrying would fail the same way for days. The rows
   * are split in two halves committed one after the other, down to single rows, so every
   * row the database takes is stored and each one it refuses is a rejected row with the
   * database's reason. k refused rows in a chunk of n cost about 2k·log2(n) statements.
   * Any other error (connection lost, a lost claim) is thrown as before.
   */
  const storeRows = async (rows: CsvRow[]): Promise<void> => {
    try {
      await commitChunk(rows)
    } catch (error) {
      if (!isDataError(error)) throw error
      const ingestible = rows.filter((row) => row.result.ok)
      if (ingestible.length === 0) throw error // not a row's fault: the commit's own statement failed
      if (ingestible.length === 1) {
        const line = (ingestible[0] as CsvRow).line
        jobLog.warn({ line, code: error.code }, 'batch row refused by the database: rejected')
        await commitChunk(rows, new Map([[line, refusedByDatabase(error)]]))
        return
      }
      const middle = rows.indexOf(ingestible[Math.floor(ingestible.length / 2)] as CsvRow)
      jobLog.warn({ fromLine: rows[0]?.line, toLine: rows[rows.length - 1]?.line, code: error.code }, 'batch chunk refused by the database: splitting it')
      await storeRows(rows.slice(0, middle))
      await storeRows(rows.slice(middle))
    }
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
        mapping.resolved = Object.fromEntries(Object.entries(resolved.mapping).map(([field, index]) => [field, resolved.headers[index as number] ?? '']))
      },
    })
    for await (const batch of batches) {
      if (!mappingSaved && mapping.resolved !== undefined) {
        await saveColumnMapping(db, job.id, { ...mapping })
        mappingSaved = true
      }
      for (const row of batch) {
        pending.push(row)
        if (pending.length >= chunkRows) {
          await storeRows(pending)
          pending = []
          if (Date.now() - started >= options.sliceMs) {
            input.destroy()
            jobLog.info({ committedLines, ms: Date.now() - started }, 'batch slice done, continuing in a new job')
            return 'continue'
          }
        }
      }
    }
    await storeRows(pending)
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
    rowErrorsKey = `users/${job.orgId}/batches/${job.id}-errors.csv`
    await storage.put(rowErrorsKey, await errorsStream(deps, job, overrides), { contentType: 'text/csv' })
  }
  const completed = await completeBatchJob(db, job.id, committedLines, rowErrorsKey)
  // Merged into the errors file above; nothing else reads it.
  if (rowErrorsKey !== null) await storage.delete(refusedKey)
  if (completed) jobLog.info({ ms: Date.now() - started }, 'batch job completed')
  return 'finished'
}

/** The errors file: the rows the file's own checks reject, then the rows the database refused. */
async function errorsStream(
  deps: WorkerDeps,
  job: { id: string; orgId: string; r2Key: string },
  overrides: ReadonlyMap<string, MappableField>,
): Promise<Readable> {
  const input = await deps.storage.get(job.r2Key)
  const refused = await readRefusedRows(deps.storage, refusedRowsKey(job.orgId, job.id))
  async function* lines(): AsyncGenerator<string> {
    yield* rowErrorsCsv(input, overrides)
    for (const e of refused) yield csvLine([String(e.line), e.field, e.message])
  }
  return Readable.from(lines())
}

const NONE_REFUSED: ReadonlyMap<number, string> = new Map()

function storableError(e: BatchRowError): BatchRowError {
  return { line: e.line, field: toSafeText(e.field), message: toSafeText(e.message, 500) }
}

function refusedRowsKey(orgId: string, batchJobId: string): string {
  return `users/${orgId}/batches/${batchJobId}-refused.json`
}

async function readRefusedRows(storage: WorkerDeps['storage'], key: string): Promise<BatchRowError[]> {
  let input: Readable
  try {
    input = await storage.get(key)
  } catch (error) {
    if (error instanceof AppError && error.code === 'NOT_FOUND') return []
    throw error
  }
  const chunks: Buffer[] = []
  for await (const chunk of input) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)))
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as BatchRowError[]
}

/** Adds rows to the job's list of refused rows (one worker per job at a time: see whileLocked). */
async function saveRefusedRows(storage: WorkerDeps['storage'], key: string, rows: readonly BatchRowError[]): Promise<void> {
  const byLine = new Map((await readRefusedRows(storage, key)).map((e) => [e.line, e]))
  for (const e of rows) byLine.set(e.line, storableError(e))
  await storage.put(key, JSON.stringify([...byLine.values()].sort((a, b) => a.line - b.line)), { contentType: 'application/json' })
}

/** Ends a job that cannot go on, with a reason the user can act on. */
export async function fail(db: Db, id: string, reason: string): Promise<SliceOutcome> {
  await markBatchJobFailed(db, id, reason)
  return 'finished'
}

function countOutcomes(outcomes: readonly ItemOutcome[]): { accepted: number; duplicate: number; rejected: number } {
  const counts = { accepted: 0, duplicate: 0, rejected: 0 }
  for (const o of outcomes) counts[o.outcome] += 1
  return counts
}

function storedMapping(value: Prisma.JsonValue | null): StoredColumnMapping {
  const v = value as Partial<StoredColumnMapping> | null
  return { overrides: v?.overrides ?? {}, ...(v?.resolved ? { resolved: v.resolved } : {}) }
}

function isField(value: string): value is MappableField {
  return (MAPPABLE_FIELDS as readonly string[]).includes(value)
}
