import type { ResourceLimits } from 'node:worker_threads'
import { runOnWorker } from './run-on-worker.ts'
import type { TrainedCandidate } from './train-candidate.ts'
import { TrainingRefused } from './train-candidate.ts'
import type { TrainingStage, TrainingWorkerInput, TrainingWorkerMessage } from './training-worker-protocol.ts'

/**
 * The training thread's heap: the kept feature rows (<= 75 MB), one page of
 * transactions, the feature state per account and merchant, and the trees' buffers.
 * Beyond it the thread is stopped and the job fails saying so; the API is untouched.
 */
export const TRAINING_WORKER_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 1_536, maxYoungGenerationSizeMb: 64 }
/** A training still running after this long is stopped (pg-boss expires the job at 30 min). */
export const TRAINING_TIMEOUT_MS = 25 * 60_000

const WORKER_ENTRY = new URL('./training-worker-entry.ts', import.meta.url)

export interface WorkerRunOptions {
  limits?: ResourceLimits | undefined
  timeoutMs?: number | undefined
  onProgress?: ((value: number) => void) | undefined
  onStage?: ((stage: TrainingStage) => void) | undefined
}

export interface WorkerOutcome {
  result: TrainedCandidate
  replayed: number
  kept: number
}

/**
 * Runs one training on a worker thread (train-candidate.ts via training-worker-entry.ts)
 * with bounded memory and time. Resolves with the trained candidate; rejects with a
 * TrainingRefused (too few labels...) or an Error whose message says what happened
 * (out of memory, crash, timeout): a thread that dies never leaves the caller waiting.
 */
export function trainOnWorker(input: TrainingWorkerInput, options: WorkerRunOptions = {}): Promise<WorkerOutcome> {
  return runOnWorker<TrainingWorkerMessage, WorkerOutcome>({
    entry: WORKER_ENTRY,
    workerData: input,
    limits: options.limits ?? TRAINING_WORKER_LIMITS,
    timeoutMs: options.timeoutMs ?? TRAINING_TIMEOUT_MS,
    onMessage: (message) => {
      switch (message.type) {
        case 'progress':
          options.onProgress?.(message.value)
          return undefined
        case 'stage':
          options.onStage?.(message.stage)
          return undefined
        case 'done':
          return { value: { result: message.result, replayed: message.replayed, kept: message.kept } }
        case 'refused':
          return { error: new TrainingRefused(message.message) }
        case 'error':
          return { error: new Error(`Training failed: ${message.message}`) }
      }
    },
    failures: {
      outOfMemory: (limits) =>
        new Error(
          `Training ran out of memory (the training thread may use ${limits.maxOldGenerationSizeMb ?? '?'} MB) and was stopped; the API kept running. Try again with fewer transactions or ask the operator to raise the limit.`,
        ),
      crashed: (error) => new Error(`Training stopped unexpectedly: ${error.message}`),
      exited: (code) => new Error(`Training stopped unexpectedly: the training thread exited (code ${code}) without a result`),
      timedOut: (ms) => new Error(`Training took longer than ${Math.round(ms / 60_000)} minutes and was stopped`),
    },
  })
}
