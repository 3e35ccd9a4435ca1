import type { TTeamMetrics } from '@anomalyze/shared'
import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { callServer } from '../api/server-call.ts'
import { useServerOnline } from '../hooks/useServerOnline.ts'
import type { QueueFilters } from '../../../contract/queue.ts'
import { BarPanel } from '../charts/BarPanel.tsx'
import { COUNT_COLOR } from '../charts/chart-colors.ts'
import { ClosedPerAnalystChart } from './ClosedPerAnalystChart.tsx'

const PERIODS = [7, 30, 90] as const

function formatDuration(ms: number | null): string {
  if (ms === null) return '—'
  if (ms < 3_600_000) return `${Math.max(1, Math.round(ms / 60_000))} min`
  if (ms < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`
  return `${(ms / 86_400_000).toFixed(1)} d`
}

interface RateTableProps {
  title: string
  rows: TTeamMetrics['falsePositiveByRule']
  keyName: string
  /** Opens the queue on a row's key (rules); absent where the queue has no such filter (model versions). */
  onPick?: (key: string) => void
}

function RateTable({ title, rows, keyName, onPick }: RateTableProps) {
  return (
    <div className="metric-card">
      <h3>{title}</h3>
      {rows.length === 0 ? (
        <p className="muted">Nothing decided in the period.</p>
      ) : (
        <table className="reports-table">
          <thead>
            <tr>
              <th>{keyName}</th>
              <th className="num">Decided</th>
              <th className="num">False positives</th>
              <th className="num">Rate</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key}>
                <td>
                  {onPick === undefined ? (
                    r.key
                  ) : (
                    <button type="button" className="link" onClick={() => onPick(r.key)} title={`Open the alerts of ${r.key} in the queue`}>
                      {r.key}
                    </button>
                  )}
                </td>
                <td className="num">{r.decided.toLocaleString()}</td>
                <td className="num">{r.falsePositives.toLocaleString()}</td>
                <td className="num">{(r.rate * 100).toFixed(1)}%</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}

/**
 * What a team lead looks at (team.metrics on the server): open cases by age, SLA
 * breaches, cases closed per analyst per day, median time to decision and the
 * false-positive rate by rule and by model version. Online only: hidden with a note offline.
 */
export function TeamMetrics({ onOpenQueue }: { onOpenQueue?: ((filters: QueueFilters) => void) | undefined }) {
  const online = useServerOnline()
  const [days, setDays] = useState<(typeof PERIODS)[number]>(30)
  const metrics = useQuery({
    queryKey: ['team.metrics', days],
    queryFn: () => callServer<TTeamMetrics>('query', 'team.metrics', { days }),
    enabled: online,
    refetchInterval: 60_000,
  })
  if (!online)
    return (
      <p className="empty-box" data-testid="team-metrics-offline">
        Team metrics come from the server: sign in and go online to see cases by age, SLA breaches and closures per analyst.
      </p>
    )
  const m = metrics.data
  return (
    <section className="team-metrics" aria-label="Team" data-testid="team-metrics">
      <header className="team-metrics-header">
        <h2>Team</h2>
        <label>
          Period{' '}
          <select aria-label="Period" value={days} onChange={(e) => setDays(Number(e.target.value) as (typeof PERIODS)[number])}>
            {PERIODS.map((p) => (
              <option key={p} value={p}>
                last {p} days
              </option>
            ))}
          </select>
        </label>
      </header>
      {metrics.isError && <p className="error-box">Could not load the team metrics: {metrics.error.message}</p>}
      {metrics.isPending && <p className="muted">Loading team metrics…</p>}
      {m !== undefined && (
        <>
          <div className="kpis">
            <div>
              <strong data-testid="kpi-open-cases">{m.openByAge.reduce((s, b) => s + b.count, 0).toLocaleString()}</strong> open cases
            </div>
            <div className={m.sla.openOverdue > 0 ? 'kpi-bad' : ''}>
              <strong data-testid="kpi-overdue">{m.sla.openOverdue.toLocaleString()}</strong> overdue
            </div>
            <div className={m.sla.dueSoon > 0 ? 'kpi-warn' : ''}>
              <strong>{m.sla.dueSoon.toLocaleString()}</strong> due soon
            </div>
            <div>
              <strong>{m.sla.breachedInPeriod.toLocaleString()}</strong> SLA breaches in the period
            </div>
            <div>
              <strong data-testid="kpi-median-decision">{formatDuration(m.medianTimeToDecisionMs)}</strong> median time to decision
            </div>
          </div>
          <div className="chart-row">
            {/* Not clickable: cases are not queue rows. */}
            <BarPanel
              title="Open cases by age"
              testId="chart-open-cases"
              data={m.openByAge}
              categoryKey="bucket"
              categoryLabel="age"
              series={[{ key: 'count', name: 'Open cases', color: COUNT_COLOR }]}
              valueLabel="cases"

              emptyText="No open case."
            />
            <ClosedPerAnalystChart rows={m.closedPerAnalyst} days={days} />
          </div>
          <div className="chart-row">
            <RateTable
              title="False-positive rate by rule"
              keyName="Rule"
              rows={m.falsePositiveByRule}
              onPick={onOpenQueue === undefined ? undefined : (rule) => onOpenQueue({ rule })}
            />
            <RateTable title="False-positive rate by model version" keyName="Model" rows={m.falsePositiveByModel} />
          </div>
        </>
      )}
    </section>
  )
}
