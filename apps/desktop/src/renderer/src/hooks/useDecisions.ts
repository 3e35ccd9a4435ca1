import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query'
import { statusForLabel } from '@anomalyze/shared'
import type { DecideArgs, ReopenArgs } from '../../../contract/decisions.ts'
import type { QueueRow } from '../../../contract/queue.ts'
import { callCore } from '../api/core-client.ts'

/** A decision as the queue makes it; `local` (rows of an offline-scored file) never waits for the server. */
export interface DecideVariables extends DecideArgs {
  local: boolean
}

/** After the browser has painted the frame the key press produced. */
function afterPaint(fn: () => void): void {
  requestAnimationFrame(() => setTimeout(fn, 0))
}

/**
 * Labelling and undo. The rows the renderer holds change at once (optimistic), so the
 * queue moves on without waiting for the core; the core's answer then refreshes only
 * what a label changes (those anomalies' details, the pending count), after the next
 * paint. A failure reloads the rows so they show what the core holds.
 */
export function useDecisions() {
  const queryClient = useQueryClient()

  const decide = useMutation({
    mutationFn: ({ local: _local, ...args }: DecideVariables) => callCore('decision.record', args),
    onMutate: (vars) => {
      const ids = new Set(vars.anomalyIds)
      const status = statusForLabel(vars.label)
      queryClient.setQueriesData<QueueRow[]>({ queryKey: ['rows'] }, (rows) =>
        rows?.some((row) => ids.has(row.id)) === true ? rows.map((row) => (ids.has(row.id) ? { ...row, status, pending: !vars.local } : row)) : rows,
      )
    },
    onSettled: (_result, error, vars) =>
      afterPaint(() => {
        if (error === null) refreshStalePages(queryClient, vars)
        else void queryClient.invalidateQueries({ queryKey: ['rows'] })
        refreshAfterDecision(queryClient, vars.anomalyIds)
      }),
  })

  const undo = useMutation({
    mutationFn: () => callCore('decision.undo', {}),
    onSuccess: (result) =>
      afterPaint(() => {
        if (result.restored === 0) return
        void queryClient.invalidateQueries({ queryKey: ['rows'] })
        refreshAfterDecision(queryClient, result.anomalyIds)
      }),
  })

  // A reopen is sent at once: the analyst is settling a disagreement and waits for the answer.
  const reopen = useMutation({
    mutationFn: (args: ReopenArgs) => callCore('decision.reopen', args),
    onSuccess: (_result, args) => {
      void queryClient.invalidateQueries({ queryKey: ['rows'] })
      refreshAfterDecision(queryClient, [args.anomalyId])
      void callCore('sync.now', {})
        .catch(() => undefined)
        .finally(() => {
          refreshAfterDecision(queryClient, [args.anomalyId])
          void queryClient.invalidateQueries({ queryKey: ['rows'] })
        })
    },
  })

  return { decide, undo, reopen }
}

function refreshAfterDecision(queryClient: QueryClient, anomalyIds: readonly string[]): void {
  // Only the open detail refetches now; the others (and the overview) when next shown.
  for (const id of anomalyIds) {
    void queryClient.invalidateQueries({ queryKey: ['anomaly', id] })
    void queryClient.invalidateQueries({ queryKey: ['decision.history', id] })
  }
  void queryClient.invalidateQueries({ queryKey: ['sync.status'] })
  void queryClient.invalidateQueries({ queryKey: ['dashboard'] })
  refreshProgressSoon(queryClient)
}

// The queue's count and "decided today · left" line (see useQueueProgress) come from
// two counts over the whole cache in the core. Asked for at once, they ran before the
// next alert's detail and doubled the keypress-to-next-alert time (bench:desktop): they
// follow a moment after the last decision instead, once per run of keypresses.
const PROGRESS_REFRESH_DELAY_MS = 250
let progressTimer: ReturnType<typeof setTimeout> | null = null
function refreshProgressSoon(queryClient: QueryClient): void {
  if (progressTimer !== null) clearTimeout(progressTimer)
  progressTimer = setTimeout(() => {
    progressTimer = null
    void queryClient.invalidateQueries({ queryKey: ['queue-progress'] })
  }, PROGRESS_REFRESH_DELAY_MS)
}

/**
 * A page of rows the core read before it stored the decision (a scroll racing the key
 * press) came back with the old status over the optimistic one: only such pages reload.
 */
function refreshStalePages(queryClient: QueryClient, vars: DecideVariables): void {
  const ids = new Set(vars.anomalyIds)
  const status = statusForLabel(vars.label)
  for (const [queryKey, rows] of queryClient.getQueriesData<QueueRow[]>({ queryKey: ['rows'] })) {
    if (rows?.some((row) => ids.has(row.id) && row.status !== status) === true) void queryClient.invalidateQueries({ queryKey, exact: true })
  }
}
