import type { WorkerDeps } from '../../service-deps.ts'
import { RULE_BACKTEST_QUEUE } from './backtest-queue.ts'
import { runBacktest } from './run-backtest.ts'

/** The rule backtest worker: one job per backtest (run-backtest.ts records its own failures). */
export async function registerBacktestWorkers(deps: WorkerDeps): Promise<void> {
  const log = deps.log.child({ component: 'rule-backtests' })
  await deps.jobs.work(RULE_BACKTEST_QUEUE, async (job) => runBacktest({ db: deps.db, models: deps.models, log }, job.data.backtestId))
}
