import type { WorkerDeps } from '../../jobs/register-workers.ts'
import { useModelStorage } from '../detection/active-model.ts'
import { runTraining } from './run-training.ts'
import { RETRAIN_QUEUE } from './training-queue.ts'

/** The retraining worker; also hands the model store to the scoring path of this instance. */
export async function registerTrainingWorkers(deps: WorkerDeps): Promise<void> {
  useModelStorage(deps.storage)
  await deps.jobs.work(RETRAIN_QUEUE, async (job) => runTraining(deps, job.data.trainingJobId))
}
