import { Worker } from 'node:worker_threads'
import type { AnomalyModel } from '../../detection/models/anomaly-model.ts'
import { scoresFromRaw, type OnnxScorer, type RawOutputs } from './onnx-scorer.ts'

type Reply = { id: number; iso: Float32Array; sup: Float32Array | null } | { id: number; error: string } | { ready: true }

/**
 * OnnxScorer whose ONNX Runtime session lives in a worker thread: the batch CLI uses
 * it to overlap scoring with parsing. The worker is started through tsx, like the CLI.
 */
export async function createWorkerOnnxScorer(onnxBytes: Uint8Array, model: AnomalyModel): Promise<OnnxScorer> {
  const worker = new Worker(new URL('./onnx-worker-entry.mjs', import.meta.url), {
    workerData: { onnx: onnxBytes, width: model.featureNames.length, supervised: model.supervised !== null },
  })
  const waiting = new Map<number, { resolve: (r: RawOutputs) => void; reject: (e: Error) => void }>()
  let nextId = 0
  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject)
    worker.on('message', (reply: Reply) => {
      if ('ready' in reply) return resolve()
      const w = waiting.get(reply.id)
      waiting.delete(reply.id)
      if ('error' in reply) w?.reject(new Error(reply.error))
      else w?.resolve({ isolation: reply.iso, supervised: reply.sup })
    })
  })
  const raw = (rows: Float32Array, count: number): Promise<RawOutputs> =>
    new Promise((resolve, reject) => {
      const id = nextId++
      waiting.set(id, { resolve, reject })
      // Copy: the caller may reuse its buffer while the worker scores.
      worker.postMessage({ id, rows: rows.slice(0, count * model.featureNames.length), count })
    })
  return {
    raw,
    score: async (rows, count) => scoresFromRaw(model, await raw(rows, count), count),
    async close() {
      worker.postMessage('close')
      await new Promise((resolve) => worker.once('exit', resolve))
    },
  }
}
