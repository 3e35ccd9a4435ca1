// Entry of a candidate preview's worker thread (started by preview-on-worker.ts through
// run-on-worker.ts): reads the history from Postgres on its own connection, replays
// the features, scores the window with both models and compares them, so none of that
// CPU runs on the API's event loop.
import { parentPort, workerData } from 'node:worker_threads'
import pg from 'pg'
import { collectPreviewWindow } from './preview-window.ts'
import type { PreviewWorkerInput, PreviewWorkerMessage } from './preview-worker-protocol.ts'
import { readHistoryPages } from './read-history-pages.ts'
import { previewConfigs, scorePreview } from './score-preview.ts'

const input = workerData as PreviewWorkerInput
const post = (message: PreviewWorkerMessage): void => parentPort?.postMessage(message)

async function run(): Promise<void> {
  const { current, candidate } = input
  const { configs, currentIndex, candidateIndex } = previewConfigs(current, candidate)
  const client = new pg.Client({ connectionString: input.databaseUrl, application_name: 'anomalyze-preview' })
  await client.connect()
  let window
  try {
    window = await collectPreviewWindow(readHistoryPages(client, input.orgId, input.pageRows), configs, {
      onPage: (replayed) => post({ type: 'progress', replayed }),
    })
  } finally {
    await client.end().catch(() => {})
  }
  post({ type: 'done', result: scorePreview(window, { current, candidate, currentIndex, candidateIndex }, input.budgetPerDay, input.limit) })
}

run().catch((error: unknown) => {
  post({ type: 'error', message: error instanceof Error ? error.message : String(error) })
})
