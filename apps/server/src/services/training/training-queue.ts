import { defineQueue } from '../../jobs/job-queue.ts'
import type { TrackedWork } from '../../jobs/reconcile-stuck-work.ts'
import { recordAudit } from '../audit/record-audit.ts'

/**
 * One job per TrainingJob row. No retries: a training that failed says why on its
 * row, and a fresh start is one click (retrying the same data would fail the same way).
 */
export const RETRAIN_QUEUE = defineQueue<{ trainingJobId: string }>('retrain-model', {
  retryLimit: 0,
  expireInSeconds: 30 * 60,
})

/**
 * A training whose server died: with no retry, pg-boss fails its job once it expires
 * (30 minutes after it started), and the row is marked FAILED the way run-training.ts
 * marks a failure (reason on the row and its report, an audit row), so the next
 * "Retrain" starts a fresh job instead of returning the dead one.
 */
export const TRAINING_WORK: TrackedWork = {
  kind: 'training',
  table: 'TrainingJob',
  reasonColumn: 'failureReason',
  queue: RETRAIN_QUEUE,
  idField: 'trainingJobId',
  // startTraining sends right after the insert.
  graceSeconds: 10 * 60,
  reasons: {
    QUEUED: 'The server stopped before this training could start; start it again.',
    PROCESSING: 'The server stopped while this training was running; start it again.',
  },
  async afterFailed(tx, row) {
    await tx.trainingJob.update({ where: { id: row.id }, data: { report: { decision: 'failed', reason: row.reason } } })
    await recordAudit(
      tx,
      { orgId: row.orgId, actor: 'system' },
      { action: 'model.training', entityType: 'TrainingJob', entityId: row.id, newData: { decision: 'failed', reason: row.reason } },
    )
  },
}
