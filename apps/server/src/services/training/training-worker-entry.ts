// Entry of the training worker thread (started by train-on-worker.ts with tsx's loader).
// Reads the history from Postgres on its own connection, builds features, trains,
// evaluates and writes the artifact, so none of that CPU runs on the API's event loop.
import { parentPort, workerData } from 'node:worker_threads'
import pg from 'pg'
import { streamTrainingSet } from './stream-training-set.ts'
import { trainCandidate, TrainingRefused } from './train-candidate.ts'
import type { TrainingWorkerInput, TrainingWorkerMessage } from './training-worker-protocol.ts'

const input = workerData as TrainingWorkerInput
const post = (message: TrainingWorkerMessage): void => parentPort?.postMessage(message)

async function run(): Promise<void> {
  const client = new pg.Client({ connectionString: input.databaseUrl, application_name: 'anomalyze-training' })
  await client.connect()
  let set
  try {
    // Loading is the first 40% of the progress bar, page by page.
    set = await streamTrainingSet(client, input.orgId, {
      maxRows: input.maxRows,
      onPage: (replayed, total) => post({ type: 'progress', value: Math.min(40, 2 + Math.floor((38 * replayed) / Math.max(total, 1))) }),
    })
  } finally {
    await client.end().catch(() => {})
  }
  post({ type: 'stage', stage: 'loaded', replayed: set.replayed, kept: set.kept })
  const result = await trainCandidate(
    { set, current: input.current, version: input.version, trainingJobId: input.trainingJobId, budgetPerDay: input.budgetPerDay },
    (stage) => {
      post({ type: 'stage', stage })
      post({ type: 'progress', value: stage === 'trained' ? 70 : 80 })
    },
  )
  // Copied, not transferred: the files are a few hundred KB, and a Buffer may share its memory.
  post({ type: 'done', result, replayed: set.replayed, kept: set.kept })
}

run().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error)
  post(error instanceof TrainingRefused ? { type: 'refused', message } : { type: 'error', message })
})
