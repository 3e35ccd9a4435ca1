import { defineQueue } from '../../jobs/job-queue.ts'
import type { TrackedWork } from '../../jobs/reconcile-stuck-work.ts'

/**
 * One job per report. The handler records failures on the Report itself (FAILED and
 * why) instead of throwing, so a bad request is not retried; pg-boss's retries cover
 * a worker that died mid-job (the job expires and runs again from the start).
 */
export const GENERATE_REPORT_QUEUE = defineQueue<{ reportId: string }>('generate-report', {
  retryLimit: 2,
  retryDelay: 30,
  expireInSeconds: 4 * 60 * 60,
})

/** Fired by cron on the 1st: creates last month's summary for every user. */
export const MONTHLY_SUMMARIES_QUEUE = defineQueue<{ month?: string }>('monthly-summaries', {
  retryLimit: 3,
  retryDelay: 60,
  retryBackoff: true,
  expireInSeconds: 30 * 60,
})

/** 02:00 UTC on the 1st of each month. */
export const MONTHLY_SUMMARY_CRON = '0 2 1 * *'

/**
 * A report no job can finish any more: its worker died on every attempt (each after
 * the 4-hour expiry), or it never got a job. The grace is long because the monthly
 * fan-out sends a scheduled summary's job on its own retry, up to its 30-minute expiry
 * and backoff later, when the fan-out itself was interrupted.
 */
export const REPORT_WORK: TrackedWork = {
  kind: 'report',
  table: 'Report',
  reasonColumn: 'error',
  queue: GENERATE_REPORT_QUEUE,
  idField: 'reportId',
  graceSeconds: 60 * 60,
  reasons: {
    QUEUED: 'The server stopped before this report could be generated; create it again.',
    PROCESSING: 'The server stopped while this report was being generated; create it again.',
  },
}
