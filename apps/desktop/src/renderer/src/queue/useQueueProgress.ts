import { keepPreviousData, useQuery } from '@tanstack/react-query'
import type { QueueFilters } from '../../../contract/queue.ts'
import { callCore } from '../api/core-client.ts'

/**
 * The view's counts as the core has them now (the list on screen is a frozen snapshot):
 * refreshed after each decision and undo (useDecisions), after the list's first rows
 * are up so it never delays the first paint.
 */
export function useQueueProgress(filters: QueueFilters, enabled: boolean) {
  return useQuery({
    queryKey: ['queue-progress', filters],
    queryFn: () => callCore('queue.progress', { filters }),
    placeholderData: keepPreviousData,
    enabled,
  })
}
