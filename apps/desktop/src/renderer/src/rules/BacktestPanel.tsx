import type { EntityRefArgs } from '../../../contract/entity.ts'
import { formatTime } from '../format.ts'
import { BacktestChart } from './BacktestChart.tsx'
import type { BacktestRun, BacktestWhere } from './useBacktest.ts'

export const BACKTEST_DAYS = [7, 30, 90] as const

interface Props {
  run: BacktestRun | null
  where: BacktestWhere
  days: number
  online: boolean
  onWhere: (where: BacktestWhere) => void
  onDays: (days: number) => void
  onStart: () => void
  onClose: () => void
  /** The sample hit under the cursor (j/k), whose account v opens. */
  sampleCursor: number
  onOpenEntity: (ref: EntityRefArgs) => void
}

const plural = (n: number, word: string) => `${n.toLocaleString()} ${word}${n === 1 ? '' : 's'}`
const percent = (value: number | null) => (value === null ? '–' : `${(value * 100).toFixed(0)}%`)

/**
 * The backtest of the drafts (with the rule being edited): where it runs (the server
 * over its last N days, or this console over its cache and scored files), its progress,
 * and then per rule hits, hits a day, precision, recall and overlap, the chart, and sample
 * hits that open the account's entity view.
 */
export function BacktestPanel({ run, where, days, online, onWhere, onDays, onStart, onClose, sampleCursor, onOpenEntity }: Props) {
  const result = run?.status === 'done' ? run.result : null
  return (
    <section className="backtest-panel" aria-label="Backtest" data-testid="backtest-panel" data-status={run?.status ?? 'idle'}>
      <header className="rule-editor-head">
        <h3>Backtest</h3>
        <button type="button" className="link" onClick={onClose}>
          Close <kbd>Esc</kbd>
        </button>
      </header>
      <div className="backtest-controls" role="group" aria-label="Where the backtest runs">
        <label>
          <input type="radio" name="backtest-where" checked={where === 'server'} disabled={!online} onChange={() => onWhere('server')} />
          Server (last{' '}
          <select aria-label="Days" value={days} onChange={(e) => onDays(Number(e.target.value))} disabled={where !== 'server'}>
            {BACKTEST_DAYS.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>{' '}
          days)
        </label>
        <label>
          <input type="radio" name="backtest-where" checked={where === 'local'} onChange={() => onWhere('local')} />
          This console (cache and scored files)
        </label>
        <button type="button" onClick={onStart} disabled={run?.status === 'running'} data-testid="backtest-start">
          Run backtest <kbd>b</kbd>
        </button>
      </div>
      {!online && <p className="muted">Offline: the backtest runs on this console's cache and scored files.</p>}
      {run?.status === 'running' && (
        <p data-testid="backtest-progress">
          Evaluating {run.where === 'server' ? `the server's last ${run.days} days` : "this console's transactions"}…{' '}
          <progress max={Math.max(run.total, 1)} value={run.processed} aria-label="Backtest progress" />{' '}
          {run.total > 0 ? `${run.processed.toLocaleString()} / ${run.total.toLocaleString()}` : 'counting'}
        </p>
      )}
      {run?.status === 'failed' && (
        <p className="error-text" role="alert" data-testid="backtest-error">
          {run.error}
        </p>
      )}
      {result !== null && (
        <div className="backtest-result" data-testid="backtest-result">
          <p>
            {result.transactions.toLocaleString()} transactions from {formatTime(result.from)} to {formatTime(result.to)} ({plural(result.days, 'day')}
            {result.sources !== undefined && `: ${result.sources.cachedAlerts.toLocaleString()} cached alerts and ${result.sources.files.length} scored files`}
            ); {result.labelled.fraud.toLocaleString()} decided as fraud and {result.labelled.falsePositive.toLocaleString()} as false positives.
          </p>
          {result.overBudget && (
            <p className="error-text" data-testid="backtest-over-budget">
              Over budget: the busiest day raised {result.peakHitsPerDay.toLocaleString()} alerts; the organisation's budget is{' '}
              {result.alertBudgetPerDay.toLocaleString()} a day. Publishing will ask to confirm.
            </p>
          )}
          <table className="rules-table" aria-label="Backtest per rule">
            <thead>
              <tr>
                <th>Rule</th>
                <th>Mode</th>
                <th className="num">Hits</th>
                <th className="num">Hits / day</th>
                <th className="num">Precision</th>
                <th className="num">Recall</th>
                <th className="num">Also in force</th>
                <th className="num">Already alerts</th>
              </tr>
            </thead>
            <tbody>
              {result.rules.map((r) => (
                <tr key={r.name} className={r.name === '(all rules)' ? 'rules-total' : undefined} data-testid="backtest-rule" data-rule={r.name}>
                  <td className="rule-code">{r.name}</td>
                  <td>{r.name === '(all rules)' ? '' : <span className={`rule-mode mode-${r.mode}`}>{r.mode}</span>}</td>
                  <td className="num" data-testid="backtest-hits">
                    {r.hits.toLocaleString()}
                  </td>
                  <td className="num">{r.hitsPerDay.toFixed(1)}</td>
                  <td className="num" title={`${r.confirmedFraud} fraud, ${r.falsePositive} false positives`}>
                    {percent(r.precision)}
                  </td>
                  <td className="num">{percent(r.recall)}</td>
                  <td className="num">{r.overlapCurrentRules.toLocaleString()}</td>
                  <td className="num">{r.overlapAlerts.toLocaleString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <BacktestChart result={result} />
          <h4>Sample hits</h4>
          {result.samples.length === 0 ? (
            <p className="muted">No hits in the window.</p>
          ) : (
            <table className="rules-table" aria-label="Sample hits">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Account</th>
                  <th>Merchant</th>
                  <th className="num">Amount</th>
                  <th>Rules</th>
                  <th>Decision</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {result.samples.map((s, index) => (
                  <tr key={s.transactionId} aria-selected={index === sampleCursor} data-testid="backtest-sample">
                    <td>{formatTime(s.timestamp)}</td>
                    <td className="rule-code">{s.accountId}</td>
                    <td className="rule-code">{s.merchantId}</td>
                    <td className="num">{s.amount.toFixed(2)}</td>
                    <td className="rule-code">{s.rules.join(', ')}</td>
                    <td>{s.decision === null ? '' : s.decision === 'CONFIRMED_FRAUD' ? 'Fraud' : 'False positive'}</td>
                    <td>
                      <button type="button" className="link" onClick={() => onOpenEntity({ type: 'ACCOUNT', id: s.accountId })}>
                        Account {index === sampleCursor && <kbd>v</kbd>}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </section>
  )
}
