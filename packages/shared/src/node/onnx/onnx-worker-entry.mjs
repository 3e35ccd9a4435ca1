// Worker thread that runs ONNX Runtime, so tree evaluation (which the Node binding
// runs on the calling thread) overlaps with parsing and features on the main thread.
// Plain JavaScript on purpose: no TypeScript loader, no onnx-proto, so the thread
// starts fast and its heap stays small (the scoring job's memory budget is shared).
import { parentPort, workerData } from 'node:worker_threads'
import * as ort from 'onnxruntime-node'

/** @type {{ onnx: Uint8Array, width: number, input: string, outputs: string[] }} */
const init = workerData
const port = parentPort
if (!port) throw new Error('onnx-worker-entry must run as a worker thread')
const session = await ort.InferenceSession.create(init.onnx, { intraOpNumThreads: 1, interOpNumThreads: 1 })

port.on('message', (/** @type {{ id: number, rows: Float32Array, count: number } | 'close'} */ job) => {
  if (job === 'close') {
    void session.release().then(() => port.close())
    return
  }
  session
    .run({ [init.input]: new ort.Tensor('float32', job.rows.subarray(0, job.count * init.width), [job.count, init.width]) })
    .then((result) => {
      // Copies into buffers of our own, which can be transferred (no second copy).
      const outputs = init.outputs.map((name) => new Float32Array(/** @type {Float32Array} */ (result[name]?.data)))
      port.postMessage(
        { id: job.id, outputs },
        outputs.map((o) => o.buffer),
      )
    })
    .catch((/** @type {unknown} */ error) => port.postMessage({ id: job.id, error: String(error) }))
})
port.postMessage({ ready: true })
