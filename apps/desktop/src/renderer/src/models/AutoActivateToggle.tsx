import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useTRPC } from '../api/server-api.ts'

/**
 * "Activate winning retrains automatically": the organisation's setting (off by
 * default, so a winner waits for an admin's review). Only people who manage models
 * may change it; everyone sees how it is set.
 */
export function AutoActivateToggle({ manageReason }: { manageReason: string | null }) {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const settings = useQuery(trpc.models.settings.queryOptions())
  const set = useMutation(
    trpc.models.setAutoActivate.mutationOptions({ onSettled: () => void queryClient.invalidateQueries({ queryKey: trpc.models.settings.queryKey() }) }),
  )
  const enabled = set.isPending ? set.variables.enabled : (settings.data?.autoActivateModels ?? false)
  return (
    <label className="auto-activate" title={manageReason ?? 'When on, a retrained version that beats the active one is activated without review'}>
      <input
        type="checkbox"
        data-testid="auto-activate"
        checked={enabled}
        disabled={manageReason !== null || !settings.isSuccess || set.isPending}
        onChange={(event) => set.mutate({ enabled: event.target.checked })}
      />{' '}
      Activate winning retrains automatically
      {set.error !== null && (
        <span className="error-text" role="alert">
          {' '}
          {set.error.message}
        </span>
      )}
    </label>
  )
}
