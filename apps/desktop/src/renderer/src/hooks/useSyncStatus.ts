import { useQuery } from '@tanstack/react-query'
import { callCore } from '../api/core-client.ts'

export const SYNC_STATUS_KEY = ['sync.status'] as const

/** Polls the core's sync status: fast while a sync runs, slowly otherwise. */
export function useSyncStatus() {
  return useQuery({
    queryKey: SYNC_STATUS_KEY,
    queryFn: () => callCore('sync.status', {}),
    refetchInterval: (query) => (query.state.data?.state === 'syncing' ? 500 : 3_000),
    staleTime: 0,
  })
}
