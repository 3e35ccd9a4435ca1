import type { ResourceLimits } from 'node:worker_threads'
import { AppError } from '@anomalyze/shared'
import { runOnWorker } from './run-on-worker.ts'
import type { PreviewWorkerInput, PreviewWorkerMessage } from './preview-worker-protocol.ts'
import type { PreviewComputation } from './score-preview.ts'

/**
 * The preview thread's heap: one page of transactions, the feature state per account
 * and merchant (one per distinct feature configuration), the window's ring of at most
 * PREVIEW_MAX_ROWS rows, and both models. It does not grow with the history's length.
 */
export const PREVIEW_WORKER_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 768, maxYoungGenerationSizeMb: 32 }
/** A preview still running after this long is stopped: an admin is waiting on a dialog. */
export const PREVIEW_TIMEOUT_MS = 2 * 60_000
/**
 * Previews computed at once by this process; more are refused until one ends, so a
 * burst of dialogs opened cannot multiply the threads' memory or starve the cores.
 */
export const PREVIEW_MAX_THREADS = 2

const PREVIEW_ENTRY = new URL('./preview-worker-entry.ts', import.meta.url)

let running = 0

/** Previews this process is computing now (for tests and diagnostics). */
export function previewsRunning(): number {
  return running
}

export interface PreviewRunOptions {
  limits?: ResourceLimits | undefined
  timeoutMs?: number | undefined
  /** Transactions replayed so far, after each page. */
  onProgress?: ((replayed: number) => void) | undefined
}

const unavailable = (message: string) => new AppError('UNAVAILABLE', message)

/**
 * Computes a candidate's preview on a worker thread (preview-worker-entry.ts) with
 * bounded memory and time, so the API keeps answering every organisation meanwhile.
 * A thread that runs out of memory, crashes or overruns its time is an UNAVAILABLE
 * AppError saying so; an error inside the thread (a database failure) is an Error,
 * answered as an internal error with its message in the log.
 */
export async function previewOnWorker(input: PreviewWorkerInput, options: PreviewRunOptions = {}): Promise<PreviewComputation> {
  if (running >= PREVIEW_MAX_THREADS)
    throw new AppError('LIMIT_EXCEEDED', `The server is already computing ${running} model previews; try again in a few seconds`)
  running += 1
  try {
    return await runOnWorker<PreviewWorkerMessage, PreviewComputation>({
      entry: PREVIEW_ENTRY,
      workerData: input,
      limits: options.limits ?? PREVIEW_WORKER_LIMITS,
      timeoutMs: options.timeoutMs ?? PREVIEW_TIMEOUT_MS,
      onMessage: (message) => {
        switch (message.type) {
          case 'progress':
            options.onProgress?.(message.replayed)
            return undefined
          case 'done':
            return { value: message.result }
          case 'error':
            return { error: new Error(`The preview failed: ${message.message}`) }
        }
      },
      failures: {
        outOfMemory: (limits) =>
          unavailable(
            `The preview ran out of memory (its thread may use ${limits.maxOldGenerationSizeMb ?? '?'} MB) and was stopped; the server kept running. Ask the operator to raise the limit.`,
          ),
        crashed: (error) => unavailable(`The preview stopped unexpectedly (${error.message}); the server kept running. Try again.`),
        exited: (code) => unavailable(`The preview stopped unexpectedly: its thread exited (code ${code}) without a result. Try again.`),
        timedOut: (ms) =>
          unavailable(`The preview took longer than ${ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`} and was stopped; the server kept running.`),
      },
    })
  } finally {
    running -= 1
  }
}
