// Plain-JavaScript start of the training and preview threads (run-on-worker.ts): registers
// tsx's loader in this thread (a worker's --import does not apply to its entry), then
// loads the TypeScript entry named in workerData.
import { workerData } from 'node:worker_threads'

const { register } = await import(workerData.tsxApi)
register()
await import(workerData.entry)
