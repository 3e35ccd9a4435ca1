import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { useDeferredValue } from 'react'
import type { QueueQuery } from '../../../contract/queue.ts'
import { callCore } from '../api/core-client.ts'
import { snapshotArgs } from './first-screen.ts'

/**
 * The snapshot (ordered keys, and the first rows) for the current filters. Typing in
 * a filter defers the query so keystrokes stay responsive; the previous list stays up
 * until the new one arrives instead of flashing empty.
 */
export function useQueueQuery(query: QueueQuery) {
  const deferred = useDeferredValue(query)
  const snapshot = useQuery({
    queryKey: ['snapshot', deferred],
    queryFn: () => callCore('queue.snapshot', snapshotArgs(deferred)),
    placeholderData: keepPreviousData,
    staleTime: Number.POSITIVE_INFINITY,
  })
  const snapshotId = `${JSON.stringify(snapshot.isPlaceholderData ? null : deferred)}@${snapshot.dataUpdatedAt}`
  return { snapshot, snapshotId }
}
