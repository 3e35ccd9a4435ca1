import { startStuckWorkReconciliation, type TrackedWork } from '../jobs/reconcile-stuck-work.ts'
import { BATCH_WORK } from '../services/batch/batch-queue.ts'
import { REPORT_WORK } from '../services/reports/report-queues.ts'
import { BACKTEST_WORK } from '../services/rules/backtest/backtest-queue.ts'
import type { WorkerDeps } from '../services/service-deps.ts'
import { TRAINING_WORK } from '../services/training/training-queue.ts'

/**
 * Every table whose rows wait on a pg-boss job with a status (JobStatus). Not here, and
 * why: invoices (a 15-minute sweep re-sends a missing PDF's job), notification log rows
 * (see the report on NotificationLog in ARCHITECTURE.md's jobs paragraph).
 */
export const TRACKED_WORK: readonly TrackedWork[] = [TRAINING_WORK, BATCH_WORK, REPORT_WORK, BACKTEST_WORK]

/** Marks work left unfinished by a dead worker FAILED, at start and every 5 minutes. */
export async function registerStuckWorkReconciliation(deps: WorkerDeps): Promise<void> {
  await startStuckWorkReconciliation({ db: deps.db, jobs: deps.jobs, log: deps.log.child({ component: 'stuck-work' }) }, TRACKED_WORK)
}
