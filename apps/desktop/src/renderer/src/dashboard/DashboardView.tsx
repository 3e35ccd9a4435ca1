import { useQuery } from '@tanstack/react-query'
import { callCore } from '../api/core-client.ts'
import { formatDay } from '../format.ts'
import { BarChart } from './BarChart.tsx'
import { TeamMetrics } from './TeamMetrics.tsx'

/** Overview of the local cache: anomalies per day, severity mix, score distribution. */
export function DashboardView() {
  const dashboard = useQuery({ queryKey: ['dashboard', null], queryFn: () => callCore('dashboard.get', { batchId: null }) })
  if (dashboard.isPending) return <p className="empty-box">Loading overview…</p>
  if (dashboard.isError) return <p className="error-box">Could not load the overview: {dashboard.error.message}</p>
  const d = dashboard.data
  if (d.total === 0)
    return (
      <section className="dashboard" aria-label="Overview" data-testid="dashboard">
        <p className="empty-box">Nothing to chart yet: the local cache is empty. Sign in and sync, or score a file.</p>
        <TeamMetrics />
      </section>
    )
  const days = d.days
  return (
    <section className="dashboard" aria-label="Overview" data-testid="dashboard">
      <TeamMetrics />
      <h2 className="dashboard-section">Alerts in this console's cache</h2>
      <div className="kpis">
        <div>
          <strong data-testid="kpi-total">{d.total.toLocaleString()}</strong> anomalies in the cache
        </div>
        <div>
          <strong>{d.open.toLocaleString()}</strong> open
        </div>
        <div>
          <strong>{days.reduce((s, x) => s + x.confirmedFraud, 0).toLocaleString()}</strong> confirmed fraud
        </div>
        <div>
          <strong>{days.reduce((s, x) => s + x.falsePositives, 0).toLocaleString()}</strong> false positives
        </div>
      </div>
      <BarChart
        title="Anomalies per day (UTC)"
        bars={days.map((x) => ({ label: formatDay(x.day).slice(5), value: x.anomalies }))}
        labelEvery={Math.max(1, Math.ceil(days.length / 12))}
      />
      <BarChart
        title="Flagged amount per day"
        bars={days.map((x) => ({ label: formatDay(x.day).slice(5), value: Math.round(x.amount), className: 'bar bar-amount' }))}
        labelEvery={Math.max(1, Math.ceil(days.length / 12))}
      />
      <div className="chart-row">
        <BarChart title="Severity mix" bars={d.severityMix.map((s) => ({ label: s.severity, value: s.count, className: `bar sev-${s.severity}` }))} />
        <BarChart title="Score distribution" bars={d.scoreHistogram.map((b) => ({ label: b.from.toFixed(1), value: b.count }))} />
      </div>
    </section>
  )
}
