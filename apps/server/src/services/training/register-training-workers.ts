import type { WorkerDeps } from '../service-deps.ts'
import { runTraining } from './run-training.ts'
import { RETRAIN_QUEUE } from './training-queue.ts'

/** The retraining worker. */
export async function registerTrainingWorkers(deps: WorkerDeps): Promise<void> {
  await deps.jobs.work(RETRAIN_QUEUE, async (job) => runTraining(deps, job.data.trainingJobId))
}
