import { useQuery } from '@tanstack/react-query'
import { useTRPC } from '../api/server-api.ts'
import { formatAmount, formatTime, STATUS_LABEL } from '../format.ts'
import { BarPanel } from '../charts/BarPanel.tsx'
import { seriesColor } from '../charts/chart-colors.ts'

/** models.list's id for the model shipped with the app. */
export const SHIPPED_DEFAULT_ID = 'shipped-default'

const SEVERITIES = ['MEDIUM', 'HIGH', 'CRITICAL'] as const

const CHANGE_TEXT = { dropped: 'leaves the queue', new: 'new alert', raised: 'severity up', lowered: 'severity down' } as const

interface Props {
  /** Server id of the version to preview ('shipped-default' for the shipped model). */
  modelId: string
  version: string
}

/** The preview query; the dialog's side-by-side figures use the same key, so one request serves both. */
function usePreview(modelId: string) {
  const trpc = useTRPC()
  // Refused previews (corrupt artifact) would fail the same way again.
  // The server previews registered versions only (by id): not the shipped default.
  return useQuery({
    ...trpc.models.previewCandidate.queryOptions({ modelId, limit: 20 }),
    enabled: modelId !== SHIPPED_DEFAULT_ID,
    retry: false,
    staleTime: 60_000,
  })
}

/**
 * Before/after of the alert queue if this version were activated, from the server's
 * models.previewCandidate: summary figures, alerts per severity side by side, and the
 * transactions that moved most. Shown inside the activation dialog.
 */
export function CandidatePreview({ modelId, version }: Props) {
  const preview = usePreview(modelId)
  const p = preview.data
  return (
    <section className="candidate-preview" id="candidate-preview" aria-label={`Preview of ${version}`} data-testid="candidate-preview">
      <h4>The alert queue before and after</h4>
      {modelId === SHIPPED_DEFAULT_ID && (
        <p className="muted" data-testid="preview-unavailable">
          The server previews registered versions only; the shipped default scores as it did before any retrain.
        </p>
      )}
      {preview.isPending && modelId !== SHIPPED_DEFAULT_ID && (
        <p className="muted" role="status" data-testid="preview-loading">
          Scoring your recent transactions with the active model and with {version}…
        </p>
      )}
      {preview.isError && (
        <p className="error-box" role="alert" data-testid="preview-error">
          {preview.error.message}
        </p>
      )}
      {p !== undefined && (
        <>
          <p className="muted" data-testid="preview-window">
            {p.window.transactions === 0
              ? 'No transactions yet: ingest some to preview a model on them.'
              : `${p.window.transactions.toLocaleString()} transactions from ${formatTime(Date.parse(p.window.from ?? ''))} to ${formatTime(Date.parse(p.window.to ?? ''))} ` +
                `(${p.window.boundedBy === 'days' ? `the last ${p.window.maxDays} days` : `the latest ${p.window.maxRows.toLocaleString()}`}), ` +
                `scored by ${p.current.version} (active) and ${p.candidate.version}; features replayed over ${p.window.historyReplayed.toLocaleString()} transactions as training does.`}
          </p>
          <div className="kpis preview-kpis">
            <div>
              <strong data-testid="preview-alerts">
                {p.before.alerts.toLocaleString()} → {p.after.alerts.toLocaleString()}
              </strong>{' '}
              alerts
            </div>
            <div>
              <strong data-testid="preview-dropped">{p.droppedOut.toLocaleString()}</strong> leave the queue
            </div>
            <div>
              <strong>{p.newAlerts.toLocaleString()}</strong> new
            </div>
            <div>
              <strong>{p.severityChanged.toLocaleString()}</strong> change severity
            </div>
          </div>
          <div className="kpis preview-kpis">
            <div data-testid="preview-false-positives">
              {p.falsePositives.alertedBefore === 0 ? (
                <span className="muted">No alert in this period is marked false positive.</span>
              ) : (
                <>
                  <strong>
                    {p.falsePositives.droppedBelowThreshold} of {p.falsePositives.alertedBefore}
                  </strong>{' '}
                  alerts you marked false positive fall below the threshold
                </>
              )}
            </div>
            <div data-testid="preview-frauds">
              {p.confirmedFrauds.labelled === 0 ? (
                <span className="muted">No confirmed fraud in this period.</span>
              ) : (
                <>
                  <strong>
                    {p.confirmedFrauds.stillCaught} of {p.confirmedFrauds.caughtBefore}
                  </strong>{' '}
                  confirmed frauds stay caught{p.confirmedFrauds.newlyCaught > 0 && `, ${p.confirmedFrauds.newlyCaught} more caught`}
                </>
              )}
            </div>
          </div>
          <div className="before-after-chart">
            <BarPanel
              title="Alerts per severity, before and after"
              testId="preview-severity-chart"
              data={SEVERITIES.map((s) => ({ severity: s, before: p.before.bySeverity[s], after: p.after.bySeverity[s] }))}
              categoryKey="severity"
              categoryLabel="severity"
              series={[
                { key: 'before', name: `${p.current.version} (active)`, color: seriesColor(0) },
                { key: 'after', name: p.candidate.version, color: seriesColor(1) },
              ]}
              valueLabel="alerts"
              height={200}
              emptyText="Neither version raises an alert on these transactions."
            />
          </div>
          {p.moved.length === 0 ? (
            <p className="muted">No transaction changes severity.</p>
          ) : (
            <table className="models-table preview-moved" aria-label={`Transactions that move most (${p.moved.length} of ${p.movedTotal})`}>
              <caption className="muted">
                Moved most: {p.moved.length} of {p.movedTotal.toLocaleString()} transactions that change severity
              </caption>
              <thead>
                <tr>
                  <th>Transaction</th>
                  <th>Merchant</th>
                  <th className="num">Amount</th>
                  <th className="num">Score</th>
                  <th>Severity</th>
                  <th>Change</th>
                  <th>Your label</th>
                </tr>
              </thead>
              <tbody>
                {p.moved.map((m) => (
                  <tr key={m.txId} data-change={m.change}>
                    <td>
                      <code>{m.txId}</code>
                    </td>
                    <td>{m.merchantId}</td>
                    <td className="num">{formatAmount(m.amount, m.currency)}</td>
                    <td className="num">
                      {m.before.score.toFixed(2)} → {m.after.score.toFixed(2)}
                    </td>
                    <td>
                      <span className={`badge sev-${m.before.severity}`}>{m.before.severity}</span> →{' '}
                      <span className={`badge sev-${m.after.severity}`}>{m.after.severity}</span>
                    </td>
                    <td>{CHANGE_TEXT[m.change]}</td>
                    <td>{m.decision === null ? <span className="muted">–</span> : STATUS_LABEL[m.decision]}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  )
}
