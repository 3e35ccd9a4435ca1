import { defineQueue } from '../../../jobs/job-queue.ts'

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
