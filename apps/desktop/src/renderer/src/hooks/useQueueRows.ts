import { useQueries } from '@tanstack/react-query'
import type { QueueRow } from '../../../contract/queue.ts'
import { callCore } from '../api/core-client.ts'
import { ROW_PAGE_SIZE } from '../queue/first-screen.ts'

/**
 * Loads the rows of a snapshot page by page, only around what is on screen, so
 * 100,000 rows cost a few hundred rows of memory. Pages are cached per snapshot; the
 * leading pages start from the rows the snapshot call brought along (`firstRows`).
 */
export function useQueueRows(
  snapshotId: string,
  keys: readonly number[],
  firstRows: readonly QueueRow[] | undefined,
  firstVisible: number,
  lastVisible: number,
) {
  const firstPage = Math.max(0, Math.floor(firstVisible / ROW_PAGE_SIZE) - 1)
  const lastPage = Math.min(Math.floor((keys.length - 1) / ROW_PAGE_SIZE), Math.floor(lastVisible / ROW_PAGE_SIZE) + 1)
  const pages: number[] = []
  for (let p = firstPage; p <= lastPage; p += 1) pages.push(p)

  const results = useQueries({
    queries: pages.map((page) => ({
      queryKey: ['rows', snapshotId, page],
      queryFn: () => callCore('queue.rows', { keys: keys.slice(page * ROW_PAGE_SIZE, (page + 1) * ROW_PAGE_SIZE) }),
      initialData: () => initialPage(firstRows, keys, page),
      staleTime: 60_000,
    })),
  })

  const byPage = new Map<number, QueueRow[]>()
  results.forEach((r, i) => {
    const page = pages[i]
    if (page !== undefined && r.data !== undefined) byPage.set(page, r.data)
  })

  // Rows come back in key order, but one that vanished (deleted locally) is left out:
  // match by key rather than trusting the position.
  const getRow = (index: number): QueueRow | undefined => {
    const page = byPage.get(Math.floor(index / ROW_PAGE_SIZE))
    const key = keys[index]
    if (page === undefined || key === undefined) return undefined
    const guess = page[index % ROW_PAGE_SIZE]
    return guess?.key === key ? guess : page.find((r) => r.key === key)
  }
  return { getRow, loading: results.some((r) => r.isPending), error: results.find((r) => r.isError)?.error ?? null }
}

/** A page taken from the snapshot's own rows, when they cover it entirely. */
function initialPage(firstRows: readonly QueueRow[] | undefined, keys: readonly number[], page: number): QueueRow[] | undefined {
  const start = page * ROW_PAGE_SIZE
  const end = Math.min(start + ROW_PAGE_SIZE, keys.length)
  if (firstRows === undefined || end > firstRows.length || start >= end) return undefined
  return firstRows.slice(start, end)
}
