import { defineQueue } from '../../jobs/job-queue.ts'

export interface BatchJobData {
  batchJobId: string
  /** The key that uploaded the file: its accepted rows are metered on it. Null for console uploads. */
  apiKeyId: string | null
}

/**
 * How long one job works on a file before handing over to a continuation job (see
 * run-batch-job.ts). Short slices are what allow a short expiry below.
 */
export const SLICE_MS = 30_000

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
  retryLimit: 20,
  retryDelay: 1,
  retryBackoff: true,
  expireInSeconds: Math.ceil(SLICE_MS / 1000) + 90,
})
