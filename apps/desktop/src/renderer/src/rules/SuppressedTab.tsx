import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { formatTime } from '../format.ts'
import { RULES_KEY, rulesApi } from './rules-api.ts'

/** Alerts an allow list suppressed: which list and value, its reason, and when; newest first, a page at a time. */
export function SuppressedTab() {
  const [cursors, setCursors] = useState<(string | null)[]>([null])
  const cursor = cursors.at(-1) ?? null
  const page = useQuery({ queryKey: [...RULES_KEY, 'suppressed', cursor], queryFn: () => rulesApi.suppressed(cursor) })
  if (page.isError)
    return (
      <p className="error-box" role="alert">
        {page.error.message}
      </p>
    )
  const items = page.data?.items ?? []
  const nextCursor = page.data?.nextCursor ?? null
  return (
    <div className="rules-suppressed">
      <p className="muted">Transactions the model or the rules would have alerted on, but an ALLOW list names their account, merchant or other field.</p>
      <table className="rules-table" aria-label="Suppressed alerts" data-testid="suppressed-alerts">
        <thead>
          <tr>
            <th>When</th>
            <th>Transaction</th>
            <th className="num">Amount</th>
            <th>List</th>
            <th>Value</th>
            <th>Reason</th>
            <th>Would have been</th>
          </tr>
        </thead>
        <tbody>
          {items.map((s) => (
            <tr key={s.id} data-testid="suppressed-alert">
              <td>{formatTime(s.createdAt)}</td>
              <td className="rule-code">
                {s.txId}{' '}
                <span className="muted">
                  {s.accountId} → {s.merchantId}
                </span>
              </td>
              <td className="num">{s.amount.toFixed(2)}</td>
              <td>{s.listName}</td>
              <td className="rule-code">
                {s.field} = {s.value}
              </td>
              <td>{s.reason}</td>
              <td>
                <span className={`badge sev-${s.severity}`}>{s.severity}</span> {s.score.toFixed(2)}
                {s.ruleViolations.length > 0 && <span className="rules"> {s.ruleViolations.join(', ')}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {page.data !== undefined && items.length === 0 && <p className="muted">No alert was suppressed.</p>}
      <div className="filter-bar">
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Newer
        </button>
        <button type="button" disabled={nextCursor === null} onClick={() => nextCursor !== null && setCursors((c) => [...c, nextCursor])}>
          Older
        </button>
      </div>
    </div>
  )
}
