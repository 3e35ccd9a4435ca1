import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { useDeferredValue } from 'react'
import type { QueueQuery, QueueRow } from '../../../contract/queue.ts'
import { callCore } from '../api/core-client.ts'
import { headArgs } from './first-screen.ts'

export interface QueueList {
  /** The keys known so far, in order: the head's until the whole snapshot is in. */
  keys: readonly number[]
  /** Rows matching the query (also before every key is known). */
  total: number
  /** Rows of the leading keys, from the head call. */
  firstRows: readonly QueueRow[] | undefined
  /** Changes whenever the list does (new query, reload); pages of rows are cached under it. */
  id: string
  /** True once every key of this query's list is known. */
  complete: boolean
  /** Nothing to show yet (no list of this or an earlier query). */
  pending: boolean
  /** The list shown is an earlier query's, kept while this one loads. */
  previous: boolean
  error: Error | null
}

export const headQueryKey = (query: QueueQuery) => ['queue-head', query] as const

/**
 * The list for the current filters, in two calls: the head (count, first keys and
 * their rows: milliseconds) paints the first screen; the snapshot (every key: hundreds
 * of ms at 100,000 rows) follows once that is on screen. Typing in a filter defers the query so keystrokes
 * stay responsive; the previous list stays up until the new one arrives instead of
 * flashing empty.
 */
export function useQueueQuery(query: QueueQuery): QueueList {
  const deferred = useDeferredValue(query)
  const head = useQuery({
    queryKey: headQueryKey(deferred),
    queryFn: () => callCore('queue.head', headArgs(deferred)),
    placeholderData: keepPreviousData,
    staleTime: Number.POSITIVE_INFINITY,
  })
  const snapshot = useQuery({
    queryKey: ['snapshot', deferred],
    queryFn: () => callCore('queue.snapshot', deferred),
    placeholderData: keepPreviousData,
    staleTime: Number.POSITIVE_INFINITY,
    // Asked for once the head is in (the request leaves after the head's render), so
    // neither the core's work on it nor parsing its 600 KB delays the first rows.
    enabled: head.isSuccess && !head.isPlaceholderData,
  })
  const error = head.error ?? snapshot.error
  const current = JSON.stringify(deferred)
  const full = snapshot.isPlaceholderData ? undefined : snapshot.data
  const first = head.isPlaceholderData ? undefined : head.data
  if (full !== undefined) {
    // The same moment as the head (no sync in between): keep its id, and its cached pages.
    const sameStart = first !== undefined && first.keys.every((key, i) => full.keys[i] === key)
    return {
      keys: full.keys,
      total: full.total,
      firstRows: sameStart ? first.rows : undefined,
      id: `${current}@${sameStart ? head.dataUpdatedAt : snapshot.dataUpdatedAt}`,
      complete: true,
      pending: false,
      previous: false,
      error,
    }
  }
  if (first !== undefined) {
    return {
      keys: first.keys,
      total: first.total,
      firstRows: first.rows,
      id: `${current}@${head.dataUpdatedAt}`,
      complete: false,
      pending: false,
      previous: false,
      error,
    }
  }
  // An earlier query's list while this one loads (or nothing yet).
  const shown = snapshot.data ?? head.data
  return {
    keys: shown?.keys ?? [],
    total: shown?.total ?? 0,
    firstRows: undefined,
    id: `null@${snapshot.data === undefined ? head.dataUpdatedAt : snapshot.dataUpdatedAt}`,
    complete: false,
    pending: shown === undefined,
    previous: shown !== undefined,
    error,
  }
}
