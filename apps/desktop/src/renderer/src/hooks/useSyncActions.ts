import { useMutation, useQueryClient } from '@tanstack/react-query'
import type { SignInArgs } from '../../../contract/handlers.ts'
import { callCore } from '../api/core-client.ts'
import { SYNC_STATUS_KEY } from './useSyncStatus.ts'

/** Sign in / out and "sync now"; each refreshes everything the sync may have changed. */
export function useSyncActions() {
  const queryClient = useQueryClient()
  const refresh = (): void => {
    void queryClient.invalidateQueries()
  }
  const syncNow = useMutation({
    mutationFn: () => {
      // The status poll shows progress while this runs.
      void queryClient.invalidateQueries({ queryKey: SYNC_STATUS_KEY })
      return callCore('sync.now', {})
    },
    onSettled: refresh,
  })
  const signIn = useMutation({
    mutationFn: (args: SignInArgs) => callCore('session.signIn', args),
    onSuccess: () => syncNow.mutate(),
    onSettled: refresh,
  })
  const signOut = useMutation({ mutationFn: () => callCore('session.signOut', {}), onSettled: refresh })
  return { syncNow, signIn, signOut }
}
