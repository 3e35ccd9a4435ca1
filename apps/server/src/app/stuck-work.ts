import { startStuckWorkReconciliation, type TrackedWork } from '../jobs/reconcile-stuck-work.ts'
import { BATCH_WORK } from '../services/batch/batch-queue.ts'
import { REPORT_WORK } from '../services/reports/report-queues.ts'
import { BACKTEST_WORK } from '../services/rules/backtest/backtest-queue.ts'
import type { WorkerDeps } from '../services/service-deps.ts'
import { TRAINING_WORK } from '../services/training/training-queue.ts'

/**
 * Every table whose rows wait on a pg-boss job with a status (JobStatus). Not here:
 * invoices, whose 15-minute sweep (billing/invoice-worker.ts) re-sends the job of any
 * PDF still missing; and NotificationLog, whose rows are tied to their notify job the
 * other way round (metadata.claimedBy = job id) and whose table has no index that finds
 * its few QUEUED rows among millions without reading them all.
 */
export const TRACKED_WORK: readonly TrackedWork[] = [TRAINING_WORK, BATCH_WORK, REPORT_WORK, BACKTEST_WORK]

/** Marks work left unfinished by a dead worker FAILED, at start and every 5 minutes. */
export async function registerStuckWorkReconciliation(deps: WorkerDeps): Promise<void> {
  await startStuckWorkReconciliation({ db: deps.db, jobs: deps.jobs, log: deps.log.child({ component: 'stuck-work' }) }, TRACKED_WORK)
}
