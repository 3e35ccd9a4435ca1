import type { QueueQuery, QueueSnapshotArgs } from '../../../contract/queue.ts'

export const DEFAULT_QUERY: QueueQuery = { filters: { statuses: ['OPEN', 'NEEDS_REVIEW'] }, sort: 'severity' }

/** Rows fetched per call while scrolling (see useQueueRows). */
export const ROW_PAGE_SIZE = 100

/**
 * What a snapshot call asks for: the keys, plus the first two pages of rows (the
 * screen and the page below it), so the first screen is one call, not three.
 */
export function snapshotArgs(query: QueueQuery): QueueSnapshotArgs {
  return { ...query, firstRows: 2 * ROW_PAGE_SIZE }
}
