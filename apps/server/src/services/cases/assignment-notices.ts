import type { JobQueue } from '../../jobs/job-queue.ts'
import { enqueueCaseNotice } from './case-queues.ts'

/**
 * Tells a member a case was handed to them (case-notices.ts: e-mail and the channels
 * they chose). Called after the assignment committed: a notice that cannot be queued
 * is logged and never undoes the assignment.
 */
export async function noticeAssigned(
  jobs: JobQueue | undefined,
  notice: { orgId: string; caseId: string; assigneeId: string; byName?: string },
  log?: { error: (object: unknown, message?: string) => void },
): Promise<void> {
  if (!jobs) return
  try {
    await enqueueCaseNotice(jobs, { ...notice, kind: 'assigned' })
  } catch (error) {
    log?.error({ err: error, caseId: notice.caseId }, 'case: could not queue the assigned notice')
  }
}
