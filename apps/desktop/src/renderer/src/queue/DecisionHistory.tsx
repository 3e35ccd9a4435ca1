import { useQuery } from '@tanstack/react-query'
import type { AnomalyDetail } from '../../../contract/queue.ts'
import { callCore } from '../api/core-client.ts'
import { DECISION_LABEL, formatTime } from '../format.ts'

export const decisionHistoryQuery = (id: string) => ({
  queryKey: ['decision.history', id],
  queryFn: () => callCore('decision.history', { id }),
  // The server is asked only for the alert on screen; offline the message says why there is none.
  retry: false,
  staleTime: 15_000,
})

/** A decision made offline reaches the server later than it was made: said when it is more than this. */
const LATE_MS = 60_000

/**
 * Every decision on the alert, from the server: who, what, when, the note, and which
 * one is in force. Superseded decisions (a colleague's that came second, one synced
 * from offline, one reopened) stay listed: nothing an analyst decided is dropped.
 */
export function DecisionHistory({ detail }: { detail: AnomalyDetail }) {
  const local = detail.batchId !== null
  // An alert never decided has no history; one that has a decision in force, or a lost one, asks the server.
  const decided = detail.latestDecision !== null || detail.conflict !== null
  const history = useQuery({ ...decisionHistoryQuery(detail.id), enabled: !local && decided })
  if (local) return <p className="muted">Decisions on a file scored on this machine stay on this machine.</p>
  if (!decided) return <p className="muted">No decisions yet.</p>
  if (history.data === undefined) {
    return (
      <p className="muted" data-testid="decision-history-message">
        {history.isError ? history.error.message : 'Loading…'}
      </p>
    )
  }
  if (history.data.length === 0) return <p className="muted">No decision has reached the server yet.</p>
  return (
    <ol className="decision-history" data-testid="decision-history">
      {history.data.map((entry) => (
        <li key={entry.mutationId} className={entry.inForce ? 'in-force' : 'superseded'} data-testid="history-entry" data-in-force={entry.inForce}>
          <div>
            <span className={`history-state ${entry.inForce ? 'in-force' : 'superseded'}`}>{entry.inForce ? 'In force' : 'Superseded'}</span>
            <strong>{DECISION_LABEL[entry.label]}</strong> by {entry.decidedBy}
          </div>
          <div className="muted">
            {formatTime(entry.decidedAt)} UTC
            {entry.receivedAt - entry.decidedAt > LATE_MS && `, synced ${formatTime(entry.receivedAt)} UTC`}
          </div>
          {entry.note !== null && entry.note !== '' && <q className="history-note">{entry.note}</q>}
        </li>
      ))}
    </ol>
  )
}
