import { defineQueue } from '../../jobs/job-queue.ts'

/**
 * One job per TrainingJob row. No retries: a training that failed says why on its
 * row, and a fresh start is one click (retrying the same data would fail the same way).
 */
export const RETRAIN_QUEUE = defineQueue<{ trainingJobId: string }>('retrain-model', {
  retryLimit: 0,
  expireInSeconds: 30 * 60,
})
