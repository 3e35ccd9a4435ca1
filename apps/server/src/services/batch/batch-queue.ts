import { defineQueue } from '../../jobs/job-queue.ts'
import type { TrackedWork } from '../../jobs/reconcile-stuck-work.ts'

export interface BatchJobData {
  batchJobId: string
  /** The key that uploaded the file: its accepted rows are metered on it. Null for console uploads (metered on the organisation). */
  apiKeyId: string | null
}

/**
 * How long one job works on a file before handing over to a continuation job (see
 * run-batch-job.ts). Short slices are what allow a short expiry below.
 */
export const SLICE_MS = 30_000

/**
 * Retries of a slice that failed with an error other than a data error (those reject
 * their rows, see storeRows in run-batch-job.ts): a lost connection, a database restart.
 * pg-boss waits retryDelay·2^(n+1)·[0.5, 1] seconds after the n-th failure (n from 0),
 * so 10 retries wait 17 to 34 minutes in all (~26 on average); then the job is FAILED
 * with the last error. Before, 20 retries could keep a job waiting for weeks.
 */
const RETRY_LIMIT = 10
const RETRY_DELAY_SECONDS = 1
/** The longest pg-boss waits after a slice's attempt `retryCount` (0 = the first) fails. */
export function retryDelaySeconds(retryCount: number, retryDelay: number = RETRY_DELAY_SECONDS): number {
  return Math.max(1, retryDelay) * 2 ** Math.min(16, retryCount + 1)
}

/**
 * One pg-boss job = one time slice of one batch file; each slice resumes from the
 * committed line and enqueues the next one. Why slices rather than one long job:
 * - graceful shutdown: pg-boss waits briefly, then fails the active job into `retry`,
 *   and the next instance (or the restarted one) picks it up after `retryDelay`;
 * - a killed process: the worker holds a Postgres advisory lock while it runs, which
 *   dies with its connection, so a starting instance sees the job is orphaned and
 *   re-enqueues it at once (register-batch-workers.ts); the short `expireInSeconds`
 *   is the fallback for a crash while other instances keep running.
 * Exactness never depends on pg-boss delivering once: counters and committedLines
 * commit in the same transaction as the rows, guarded by the previous committedLines.
 */
export const BATCH_QUEUE = defineQueue<BatchJobData>('batch-csv', {
  retryLimit: RETRY_LIMIT,
  retryDelay: RETRY_DELAY_SECONDS,
  retryBackoff: true,
  expireInSeconds: Math.ceil(SLICE_MS / 1000) + 90,
})

/**
 * Options for every send: a database created before the retry limit was cut keeps the
 * queue's old settings (pg-boss creates a queue once), and a job's own options win.
 */
export const BATCH_SEND_OPTIONS = { retryLimit: RETRY_LIMIT, retryDelay: RETRY_DELAY_SECONDS, retryBackoff: true } as const

/**
 * A file no job can finish any more: its last slice failed its retries without writing
 * the row (each attempt's worker died) or its first send was lost. A server's start
 * resumes orphaned files first (register-batch-workers.ts), so what is left here cannot
 * be resumed. Rows already imported are kept, and an upload of the same file again
 * counts them as duplicates.
 */
export const BATCH_WORK: TrackedWork = {
  kind: 'batch import',
  table: 'BatchJob',
  reasonColumn: 'failureReason',
  queue: BATCH_QUEUE,
  idField: 'batchJobId',
  // create-batch-job.ts sends right after the insert.
  graceSeconds: 10 * 60,
  reasons: {
    QUEUED: 'The server stopped before this file could be processed; upload it again.',
    PROCESSING:
      'The server stopped while this file was being processed and it could not be resumed; upload it again (rows already imported are counted as duplicates).',
  },
}
