import type PgBoss from 'pg-boss'
import { defineQueue, type JobQueue } from '../../jobs/job-queue.ts'

/**
 * The queues of case notices (case-notices.ts) and the SLA sweep (sla-sweep.ts), apart
 * from both so the sweep can enqueue notices without importing the workers.
 */
export interface CaseNotice {
  orgId: string
  caseId: string
  kind: 'assigned' | 'sla_breached'
  assigneeId: string | null
  byName?: string
}

/** One e-mail or SMS of a notice, composed: sent and retried on its own. */
export interface CaseMessage {
  orgId: string
  caseId: string
  kind: CaseNotice['kind']
  channel: 'EMAIL' | 'SMS'
  to: string
  subject?: string
  text: string
  html?: string
}

export const CASE_NOTICE_QUEUE = defineQueue<CaseNotice>('case-notice', { retryLimit: 3, retryDelay: 5, retryBackoff: true, expireInSeconds: 300 })

export const CASE_MESSAGE_QUEUE = defineQueue<CaseMessage>('case-notice-message', { retryLimit: 4, retryDelay: 2, retryBackoff: true, expireInSeconds: 300 })

/** Every minute; pg-boss keeps the schedule in the database, so one instance fires it. */
export const SLA_SWEEP_QUEUE = defineQueue<Record<string, never>>('case-sla-sweep', { retryLimit: 1, retryDelay: 30, expireInSeconds: 120 })
export const SLA_SWEEP_CRON = '* * * * *'

/**
 * Enqueues one notice. Call it after the change it tells of has committed, or pass
 * `options.db` (pg-boss's executor over the caller's open transaction) to enqueue it
 * within that transaction, as the SLA sweep does.
 */
export async function enqueueCaseNotice(jobs: JobQueue, notice: CaseNotice, options: { db?: PgBoss.Db } = {}): Promise<void> {
  const data: CaseNotice = { orgId: notice.orgId, caseId: notice.caseId, kind: notice.kind, assigneeId: notice.assigneeId }
  if (notice.byName !== undefined) data.byName = notice.byName
  await jobs.send(CASE_NOTICE_QUEUE, data, options.db === undefined ? {} : { db: options.db })
}
