import type { CaseEntityType, TEntityTransaction } from '@anomalyze/shared'
import { formatAmount, formatTime, STATUS_LABEL } from '../format.ts'

/** The entity's transactions as loaded so far, newest first. */
export function TransactionsTable({ items, entityType }: { items: TEntityTransaction[]; entityType: CaseEntityType }) {
  return (
    <div className="entity-table-wrap">
      <table className="reports-table entity-table" aria-label="Transactions" data-testid="entity-transactions">
        <thead>
          <tr>
            <th className="num">Amount</th>
            <th>{entityType === 'ACCOUNT' ? 'Merchant' : 'Account'}</th>
            <th>Country</th>
            <th>Time (UTC)</th>
            <th className="num">Score</th>
            <th>Decision</th>
          </tr>
        </thead>
        <tbody>
          {items.map((t) => (
            <tr key={t.id} data-testid="entity-tx" className={t.anomalyId === null ? '' : 'is-alert'}>
              <td className="num">{formatAmount(t.amount, t.currency)}</td>
              <td>{entityType === 'ACCOUNT' ? t.merchantId : t.accountId}</td>
              <td>{t.country ?? '—'}</td>
              <td>{formatTime(t.timestamp)}</td>
              <td className="num">{t.score === null ? '—' : t.score.toFixed(3)}</td>
              <td>
                {t.status === null ? (
                  <span className="muted">not an alert</span>
                ) : (
                  <>
                    {t.severity !== null && <span className={`badge sev-${t.severity}`}>{t.severity}</span>} {STATUS_LABEL[t.status]}
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
