import type { AppServices } from '../app/app-services.ts'
import type { Db } from '../db/prisma.ts'
import type { Logger } from '../logger.ts'
import { registerBatchWorkers } from '../services/batch/register-batch-workers.ts'
import { registerBillingWorkers } from '../services/billing/invoice-worker.ts'
import { registerReportWorkers } from '../services/reports/register-report-workers.ts'
import { registerNotificationWorkers } from '../services/notifications/notify-worker.ts'
import { registerTrainingWorkers } from '../services/training/register-training-workers.ts'

export interface WorkerDeps extends AppServices {
  db: Db
  log: Logger
}

type WorkerRegistration = (deps: WorkerDeps) => Promise<void>

/**
 * Every background worker of the product. Each feature exports one registration
 * (its queues, handlers and schedules) and is listed here; every server instance runs
 * all of them, and pg-boss hands each job to exactly one.
 */
const REGISTRATIONS: WorkerRegistration[] = [registerBillingWorkers, registerReportWorkers, registerNotificationWorkers, registerBatchWorkers, registerTrainingWorkers]

export async function registerWorkers(deps: WorkerDeps): Promise<void> {
  for (const register of REGISTRATIONS) await register(deps)
}
