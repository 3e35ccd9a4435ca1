import type { DashboardSource } from '../../../contract/dashboard.ts'

interface Props {
  sources: DashboardSource[]
  selected: string | null
  onSelect: (batchId: string | null) => void
  onOpenQueue: ((batchId: string | null) => void) | undefined
}

/**
 * Every source of alerts with its totals, the synced queue and each scored file, and
 * their sum: an analyst who only scored files sees them counted. Picking a row charts it.
 */
export function SourceTotals({ sources, selected, onSelect, onOpenQueue }: Props) {
  const total = sources.reduce((s, x) => s + x.total, 0)
  const open = sources.reduce((s, x) => s + x.open, 0)
  return (
    <table className="reports-table source-totals" data-testid="source-totals">
      <caption className="muted">Alerts per source: pick one to chart it below.</caption>
      <thead>
        <tr>
          <th>Source</th>
          <th className="num">Alerts</th>
          <th className="num">Open</th>
          <th aria-label="Actions" />
        </tr>
      </thead>
      <tbody>
        {sources.map((s) => (
          <tr key={s.batchId ?? 'synced'} aria-selected={s.batchId === selected} data-testid="source-row">
            <td>
              <label>
                <input type="radio" name="overview-source" checked={s.batchId === selected} onChange={() => onSelect(s.batchId)} /> {s.name}
              </label>
            </td>
            <td className="num">{s.total.toLocaleString()}</td>
            <td className="num">{s.open.toLocaleString()}</td>
            <td>
              {onOpenQueue !== undefined && s.total > 0 && (
                <button type="button" className="link" onClick={() => onOpenQueue(s.batchId)}>
                  Open in the queue
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">Everything</th>
          <td className="num" data-testid="source-total-all">
            {total.toLocaleString()}
          </td>
          <td className="num">{open.toLocaleString()}</td>
          <td />
        </tr>
      </tfoot>
    </table>
  )
}
