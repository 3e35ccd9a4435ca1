// Worker thread that runs ONNX Runtime, so tree evaluation (which the Node binding
// runs on the calling thread) overlaps with parsing and features on the main thread.
import { parentPort, workerData } from 'node:worker_threads'
import * as ort from 'onnxruntime-node'
import { ONNX_INPUT, ONNX_ISOLATION_OUTPUT, ONNX_SUPERVISED_OUTPUT } from './export-onnx.ts'

interface Init {
  onnx: Uint8Array
  width: number
  supervised: boolean
}
interface Job {
  id: number
  rows: Float32Array
  count: number
}

const init = workerData as Init
const session = await ort.InferenceSession.create(init.onnx, { intraOpNumThreads: 1, interOpNumThreads: 1 })
const port = parentPort
if (!port) throw new Error('onnx-worker must run as a worker thread')
port.on('message', (job: Job | 'close') => {
  if (job === 'close') {
    void session.release().then(() => port.close())
    return
  }
  session
    .run({ [ONNX_INPUT]: new ort.Tensor('float32', job.rows.subarray(0, job.count * init.width), [job.count, init.width]) })
    .then((result) => {
      const iso = new Float32Array(result[ONNX_ISOLATION_OUTPUT]?.data as Float32Array)
      const sup = init.supervised ? new Float32Array(result[ONNX_SUPERVISED_OUTPUT]?.data as Float32Array) : null
      port.postMessage({ id: job.id, iso, sup }, sup ? [iso.buffer, sup.buffer] : [iso.buffer])
    })
    .catch((error: unknown) => port.postMessage({ id: job.id, error: String(error) }))
})
port.postMessage({ ready: true })
