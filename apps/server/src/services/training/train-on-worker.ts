import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker, type ResourceLimits } from 'node:worker_threads'
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
const WORKER_BOOTSTRAP = new URL('./training-worker-bootstrap.mjs', import.meta.url)

/**
 * The entry is TypeScript (it imports the shared engine's sources): the thread loads
 * tsx's loader itself, whether or not the parent runs under tsx (vitest does not).
 */
function tsxLoader(): string {
  // createRequire resolves the CommonJS build; the thread imports the ES module beside it.
  return pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href
}

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

/** Why a thread that ended without an answer ended, in words for the job row. */
function describeCrash(error: Error & { code?: string }, limits: ResourceLimits): string {
  if (error.code === 'ERR_WORKER_OUT_OF_MEMORY')
    return `Training ran out of memory (the training thread may use ${limits.maxOldGenerationSizeMb ?? '?'} MB) and was stopped; the API kept running. Try again with fewer transactions or ask the operator to raise the limit.`
  return `Training stopped unexpectedly: ${error.message}`
}

/**
 * Runs one training on a worker thread (train-candidate.ts via training-worker-entry.ts)
 * with bounded memory and time. Resolves with the trained candidate; rejects with a
 * TrainingRefused (too few labels...) or an Error whose message says what happened
 * (out of memory, crash, timeout): a thread that dies never leaves the caller waiting.
 */
export function trainOnWorker(input: TrainingWorkerInput, options: WorkerRunOptions = {}): Promise<WorkerOutcome> {
  const limits = options.limits ?? TRAINING_WORKER_LIMITS
  return new Promise((resolve, reject) => {
    let settled = false
    const settle = (fn: () => void): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      fn()
    }
    const worker = new Worker(WORKER_BOOTSTRAP, {
      workerData: { ...input, tsxApi: tsxLoader(), entry: WORKER_ENTRY.href },
      resourceLimits: limits,
      execArgv: [],
    })
    const timer = setTimeout(() => {
      settle(() => reject(new Error(`Training took longer than ${Math.round((options.timeoutMs ?? TRAINING_TIMEOUT_MS) / 60_000)} minutes and was stopped`)))
      void worker.terminate()
    }, options.timeoutMs ?? TRAINING_TIMEOUT_MS)
    timer.unref()
    worker.on('message', (message: TrainingWorkerMessage) => {
      switch (message.type) {
        case 'progress':
          return options.onProgress?.(message.value)
        case 'stage':
          return options.onStage?.(message.stage)
        case 'done':
          return settle(() => resolve({ result: message.result, replayed: message.replayed, kept: message.kept }))
        case 'refused':
          return settle(() => reject(new TrainingRefused(message.message)))
        case 'error':
          return settle(() => reject(new Error(`Training failed: ${message.message}`)))
      }
    })
    worker.on('error', (error) => settle(() => reject(new Error(describeCrash(error, limits)))))
    worker.on('exit', (code) => settle(() => reject(new Error(`Training stopped unexpectedly: the training thread exited (code ${code}) without a result`))))
  })
}
