import { useMutation, useQueryClient } from '@tanstack/react-query'
import { statusForLabel, type LabelKind } from '@anomalyze/shared'
import type { QueueRow } from '../../../contract/queue.ts'
import { callCore } from '../api/core-client.ts'

/**
 * Labelling and undo. The visible rows change at once (optimistic); the core's answer
 * then refreshes rows, counts and the status bar. A failure puts the rows back.
 */
export function useDecisions() {
  const queryClient = useQueryClient()
  const refresh = (): void => {
    void queryClient.invalidateQueries({ queryKey: ['rows'] })
    void queryClient.invalidateQueries({ queryKey: ['anomaly'] })
    void queryClient.invalidateQueries({ queryKey: ['sync.status'] })
    void queryClient.invalidateQueries({ queryKey: ['dashboard'] })
  }

  const decide = useMutation({
    mutationFn: (args: { anomalyIds: string[]; label: LabelKind; note?: string }) => callCore('decision.record', args),
    onMutate: async (args) => {
      await queryClient.cancelQueries({ queryKey: ['rows'] })
      const ids = new Set(args.anomalyIds)
      const status = statusForLabel(args.label)
      queryClient.setQueriesData<QueueRow[]>({ queryKey: ['rows'] }, (rows) =>
        rows?.map((row) => (ids.has(row.id) ? { ...row, status, pending: true } : row)),
      )
    },
    onSettled: refresh,
  })

  const undo = useMutation({ mutationFn: () => callCore('decision.undo', {}), onSettled: refresh })

  return { decide, undo }
}
