// A worker entry for run-on-worker's tests: misbehaves as workerData.mode asks.
import { parentPort, workerData } from 'node:worker_threads'

const { mode } = workerData as { mode: 'two-finals' | 'exit' | 'throw' | 'hang' }
if (mode === 'two-finals') {
  parentPort?.postMessage({ type: 'note', value: 0 })
  parentPort?.postMessage({ type: 'final', value: 1 })
  parentPort?.postMessage({ type: 'final', value: 2 })
} else if (mode === 'exit') {
  process.exit(3)
} else if (mode === 'throw') {
  throw new Error('boom in the thread')
} else {
  setInterval(() => {}, 1_000)
}
