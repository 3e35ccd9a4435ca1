import { registerBatchWorkers } from '../services/batch/register-batch-workers.ts'
import { registerCaseWorkers } from '../services/cases/case-notices.ts'
import { registerBillingWorkers } from '../services/billing/invoice-worker.ts'
import { registerReportWorkers } from '../services/reports/register-report-workers.ts'
import { registerBacktestWorkers } from '../services/rules/backtest/register-backtest-workers.ts'
import { registerNotificationWorkers } from '../services/notifications/notify-worker.ts'
import type { WorkerDeps } from '../services/service-deps.ts'
import { registerStuckWorkReconciliation } from './stuck-work.ts'
import { registerTrainingWorkers } from '../services/training/register-training-workers.ts'

type WorkerRegistration = (deps: WorkerDeps) => Promise<void>

/**
 * Every background worker of the product. Each feature exports one registration
 * (its queues, handlers and schedules) and is listed here, in app/, the one place that
 * knows every feature; every server instance runs all of them, and pg-boss hands each
 * job to exactly one.
 */
const REGISTRATIONS: WorkerRegistration[] = [
  registerBillingWorkers,
  registerReportWorkers,
  registerNotificationWorkers,
  registerBatchWorkers,
  registerTrainingWorkers,
  registerCaseWorkers,
  registerBacktestWorkers,
  // Last: after each feature's own recovery at start (batch files resume, not fail).
  registerStuckWorkReconciliation,
]

export async function registerWorkers(deps: WorkerDeps): Promise<void> {
  for (const register of REGISTRATIONS) await register(deps)
}
