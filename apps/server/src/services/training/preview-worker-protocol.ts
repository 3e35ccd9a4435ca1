import type { PreviewComputation, PreviewSide } from './score-preview.ts'

/** What the preview thread is started with (workerData: structured-cloned). */
export interface PreviewWorkerInput {
  databaseUrl: string
  orgId: string
  /** Both models, loaded and verified by the API thread. */
  current: PreviewSide
  candidate: PreviewSide
  budgetPerDay: number
  /** How many moved transactions to list. */
  limit: number
  /** Rows read per page (tests; default HISTORY_PAGE_ROWS). */
  pageRows?: number | undefined
}

/** Every message the preview thread posts back; it ends with exactly one of done or error. */
export type PreviewWorkerMessage = { type: 'progress'; replayed: number } | { type: 'done'; result: PreviewComputation } | { type: 'error'; message: string }
