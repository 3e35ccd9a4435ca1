import type { QueueHeadArgs, QueueQuery } from '../../../contract/queue.ts'

export const DEFAULT_QUERY: QueueQuery = { filters: { statuses: ['OPEN', 'NEEDS_REVIEW'] }, sort: 'severity' }

/** Rows fetched per call while scrolling (see useQueueRows). */
export const ROW_PAGE_SIZE = 100

/** The head of a list: the screen and the page below it, so the first screen is one quick call. */
export function headArgs(query: QueueQuery): QueueHeadArgs {
  return { ...query, size: 2 * ROW_PAGE_SIZE }
}
