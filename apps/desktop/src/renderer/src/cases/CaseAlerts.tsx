import type { QueueRow } from '../../../contract/queue.ts'
import { formatAmount, formatTime, STATUS_LABEL } from '../format.ts'

/**
 * The case's alerts in the queue's row style. A click puts the cursor on one (its
 * fields show below the list); the check box picks alerts to split off.
 */
export function CaseAlerts({
  alerts,
  cursor,
  selected,
  onPick,
  onToggle,
}: {
  alerts: QueueRow[]
  cursor: number
  selected: ReadonlySet<string>
  onPick: (index: number) => void
  onToggle: (id: string) => void
}) {
  if (alerts.length === 0) return <p className="muted">No alerts in this case.</p>
  return (
    <div className="case-alerts" role="grid" aria-label="Alerts of the case" data-testid="case-alerts">
      {alerts.map((row, index) => (
        <div
          key={row.id}
          role="row"
          aria-selected={index === cursor}
          data-anomaly-id={row.id}
          data-testid="case-alert"
          className={`case-alert${index === cursor ? ' is-cursor' : ''}${row.status === 'OPEN' ? '' : ' is-decided'}`}
          onClick={() => onPick(index)}
        >
          <span role="gridcell">
            <input
              type="checkbox"
              aria-label={`Select ${row.txId}`}
              checked={selected.has(row.id)}
              onChange={() => onToggle(row.id)}
              onClick={(e) => e.stopPropagation()}
            />
          </span>
          <span role="gridcell">
            <span className={`badge sev-${row.severity}`}>{row.severity}</span>
          </span>
          <span role="gridcell" className="num">
            {row.score.toFixed(3)}
          </span>
          <span role="gridcell">{formatTime(row.timestamp)}</span>
          <span role="gridcell" className="num">
            {formatAmount(row.amount, row.currency)}
          </span>
          <span role="gridcell">{row.merchantId}</span>
          <span role="gridcell" data-testid="case-alert-status">
            {STATUS_LABEL[row.status]}
            {row.pending && (
              <span className="pending-dot" title="Not synced yet">
                {' '}
                •
              </span>
            )}
          </span>
        </div>
      ))}
    </div>
  )
}
