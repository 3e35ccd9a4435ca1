import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker, type ResourceLimits } from 'node:worker_threads'

const WORKER_BOOTSTRAP = new URL('./training-worker-bootstrap.mjs', import.meta.url)

/**
 * The entries are TypeScript (they import the shared engine's sources): the thread
 * loads tsx's loader itself, whether or not the parent runs under tsx (vitest does not).
 */
function tsxLoader(): string {
  // createRequire resolves the CommonJS build; the thread imports the ES module beside it.
  return pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href
}

/** How a message ends the run: with a value, or with an error for the caller. */
export type Settlement<T> = { value: T } | { error: Error }

/** The caller's words for a thread that ended without a final message. */
export interface WorkerFailures {
  outOfMemory: (limits: ResourceLimits) => Error
  crashed: (error: Error) => Error
  exited: (code: number) => Error
  timedOut: (timeoutMs: number) => Error
}

export interface WorkerRun<TMessage, TResult> {
  /** The TypeScript module the thread runs (it reads `workerData`, posts TMessage). */
  entry: URL
  /** Structured-cloned into the thread. */
  workerData: object
  limits: ResourceLimits
  timeoutMs: number
  /** Reads one message: a final one returns its settlement, any other undefined. */
  onMessage: (message: TMessage) => Settlement<TResult> | undefined
  failures: WorkerFailures
}

/**
 * Runs `entry` on a worker thread with bounded heap and time, and settles on exactly
 * one outcome: the first final message, or the thread's death (out of memory, crash,
 * exit without an answer) or the timeout, each in the caller's words. A thread that
 * dies never leaves the caller waiting; a late message after settling is ignored.
 */
export function runOnWorker<TMessage, TResult>(run: WorkerRun<TMessage, TResult>): Promise<TResult> {
  return new Promise((resolve, reject) => {
    let settled = false
    const settle = (outcome: Settlement<TResult>): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if ('error' in outcome) reject(outcome.error)
      else resolve(outcome.value)
    }
    const worker = new Worker(WORKER_BOOTSTRAP, {
      workerData: { ...run.workerData, tsxApi: tsxLoader(), entry: run.entry.href },
      resourceLimits: run.limits,
      execArgv: [],
    })
    const timer = setTimeout(() => {
      settle({ error: run.failures.timedOut(run.timeoutMs) })
      void worker.terminate()
    }, run.timeoutMs)
    timer.unref()
    worker.on('message', (message: TMessage) => {
      const outcome = run.onMessage(message)
      if (outcome) settle(outcome)
    })
    worker.on('error', (error: Error & { code?: string }) =>
      settle({ error: error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? run.failures.outOfMemory(run.limits) : run.failures.crashed(error) }),
    )
    worker.on('exit', (code) => settle({ error: run.failures.exited(code) }))
  })
}
