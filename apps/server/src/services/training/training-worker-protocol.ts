import type { AnomalyModel } from '@anomalyze/shared/engine'
import type { TrainedCandidate } from './train-candidate.ts'

/** What the training worker thread is started with (workerData: structured-cloned). */
export interface TrainingWorkerInput {
  databaseUrl: string
  orgId: string
  trainingJobId: string
  version: string
  current: { version: string; model: AnomalyModel }
  budgetPerDay: number
  maxRows?: number | undefined
}

export type TrainingStage = 'loaded' | 'trained' | 'evaluated'

/** Every message the worker posts back; it ends with exactly one of done, refused or error. */
export type TrainingWorkerMessage =
  | { type: 'progress'; value: number }
  | { type: 'stage'; stage: TrainingStage; replayed?: number; kept?: number }
  | { type: 'done'; result: TrainedCandidate; replayed: number; kept: number }
  | { type: 'refused'; message: string }
  | { type: 'error'; message: string }
