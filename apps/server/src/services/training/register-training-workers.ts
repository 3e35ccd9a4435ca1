import type { WorkerDeps } from '../service-deps.ts'
import { onModelFallback, useModelStorage } from '../models/active-model.ts'
import { runTraining } from './run-training.ts'
import { RETRAIN_QUEUE } from './training-queue.ts'

/** The retraining worker; also hands the model store to the scoring path of this instance. */
export async function registerTrainingWorkers(deps: WorkerDeps): Promise<void> {
  useModelStorage(deps.storage)
  onModelFallback(({ userId, artifactId, reason }) =>
    deps.log.warn({ userId, artifactId, reason }, 'active model cannot be loaded: the shipped model scores instead (activate another version or retrain)'),
  )
  await deps.jobs.work(RETRAIN_QUEUE, async (job) => runTraining(deps, job.data.trainingJobId))
}
