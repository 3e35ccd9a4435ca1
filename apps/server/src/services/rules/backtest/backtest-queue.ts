import { defineQueue } from '../../../jobs/job-queue.ts'
import type { TrackedWork } from '../../../jobs/reconcile-stuck-work.ts'

/**
 * One job per backtest. The handler records every failure on the RuleBacktest row
 * itself (FAILED and why) instead of throwing, so a draft that cannot run is not
 * retried; the one retry covers a worker that died mid-job (the job expires and runs
 * again from the start, replacing the partial progress).
 */
export const RULE_BACKTEST_QUEUE = defineQueue<{ backtestId: string }>('rule-backtest', {
  retryLimit: 1,
  retryDelay: 10,
  expireInSeconds: 30 * 60,
})

/** A backtest whose worker died on both attempts (each after the 30-minute expiry), or that never got a job. */
export const BACKTEST_WORK: TrackedWork = {
  kind: 'rule backtest',
  table: 'RuleBacktest',
  reasonColumn: 'failureReason',
  queue: RULE_BACKTEST_QUEUE,
  idField: 'backtestId',
  // startBacktest sends right after the insert.
  graceSeconds: 10 * 60,
  reasons: {
    QUEUED: 'The server stopped before this backtest could start; run it again.',
    PROCESSING: 'The server stopped while this backtest was running; run it again.',
  },
}
