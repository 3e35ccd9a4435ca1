import { Worker } from 'node:worker_threads'
import type { AnomalyModel } from '../../detection/models/anomaly-model.ts'
import { ONNX_INPUT, ONNX_ISOLATION_OUTPUT, ONNX_SUPERVISED_OUTPUT } from './export-onnx.ts'
import { scoresFromRaw, type OnnxScorer, type RawOutputs } from './onnx-scorer.ts'

type Reply = { id: number; outputs: Float32Array[] } | { id: number; error: string } | { ready: true }

/**
 * The worker's JavaScript heap only ever holds one batch's tensors: a small young
 * generation keeps its footprint small (the default would let it grow by tens of MB
 * inside the scoring job's 400 MB budget). ONNX Runtime's own memory is native.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 }

/**
 * The worker's plain-JavaScript entry. Bundled into an app, this module's URL no longer
 * points at it: the app copies the entry beside its bundle and says where, once at start.
 */
let workerEntry = new URL('./onnx-worker-entry.mjs', import.meta.url)

/** Where ONNX worker threads start from from now on (a bundle's copy of onnx-worker-entry.mjs). */
export function useOnnxWorkerEntry(url: URL): void {
  workerEntry = url
}

/** The file ONNX worker threads start from. */
export function onnxWorkerEntry(): URL {
  return workerEntry
}

/**
 * OnnxScorer whose ONNX Runtime session lives in a worker thread: batch jobs (the CLI,
 * the console's file scoring) use it to overlap scoring with parsing and features.
 */
export async function createWorkerOnnxScorer(onnxBytes: Uint8Array, model: AnomalyModel): Promise<OnnxScorer> {
  const width = model.featureNames.length
  const outputs = model.supervised ? [ONNX_ISOLATION_OUTPUT, ONNX_SUPERVISED_OUTPUT] : [ONNX_ISOLATION_OUTPUT]
  const worker = new Worker(workerEntry, {
    workerData: { onnx: onnxBytes, width, input: ONNX_INPUT, outputs },
    resourceLimits: WORKER_LIMITS,
    // The entry is plain JavaScript: without this the worker would inherit the parent's
    // flags (`--import tsx`) and start a TypeScript loader of its own (tens of MB).
    execArgv: [],
  })
  const waiting = new Map<number, { resolve: (r: RawOutputs) => void; reject: (e: Error) => void }>()
  let nextId = 0
  let failure: Error | null = null
  const failAll = (error: Error): void => {
    failure = error
    for (const w of waiting.values()) w.reject(error)
    waiting.clear()
  }
  let exited = false
  const exit = new Promise<void>((resolve) =>
    worker.once('exit', (code) => {
      exited = true
      failAll(new Error(`the ONNX worker thread stopped (exit code ${code})`))
      resolve()
    }),
  )
  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject)
    // No-op once ready; before that, a worker that stops without an error must not hang us.
    void exit.then(() => reject(new Error('the ONNX worker thread stopped before it was ready')))
    worker.on('message', (reply: Reply) => {
      if ('ready' in reply) {
        worker.off('error', reject)
        worker.on('error', failAll)
        return resolve()
      }
      const w = waiting.get(reply.id)
      waiting.delete(reply.id)
      if ('error' in reply) w?.reject(new Error(reply.error))
      else w?.resolve({ isolation: reply.outputs[0] as Float32Array, supervised: reply.outputs[1] ?? null })
    })
  })
  const raw = (rows: Float32Array, count: number): Promise<RawOutputs> =>
    new Promise((resolve, reject) => {
      if (failure) return reject(failure)
      const id = nextId++
      waiting.set(id, { resolve, reject })
      // A copy, handed over without a second one: the caller keeps using its rows
      // (rules, explanations) while the worker scores.
      const copy = rows.slice(0, count * width)
      worker.postMessage({ id, rows: copy, count }, [copy.buffer])
    })
  return {
    raw,
    score: async (rows, count) => scoresFromRaw(model, await raw(rows, count), count),
    async close() {
      if (!exited) worker.postMessage('close')
      await exit
    },
  }
}
