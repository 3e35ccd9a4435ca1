import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import type { QueueFilters } from '../../../contract/queue.ts'
import { callCore } from '../api/core-client.ts'
import { dayRange } from '../charts/chart-format.ts'
import { AlertsPerDayChart, AmountPerDayChart } from './DayCharts.tsx'
import { ScoreChart, SeverityChart, TopRulesChart } from './MixCharts.tsx'
import { SourceTotals } from './SourceTotals.tsx'
import { TeamMetrics } from './TeamMetrics.tsx'

interface Props {
  /** Opens the queue with these filters (a chart's bar, a source, a rule). */
  onOpenQueue?: (filters: QueueFilters) => void
}

/** Overview of the local cache, per source (synced queue or a scored file): alerts per day, amounts, severity, scores, rules. */
export function DashboardView({ onOpenQueue }: Props) {
  const [batchId, setBatchId] = useState<string | null>(null)
  const dashboard = useQuery({
    queryKey: ['dashboard', batchId],
    queryFn: () => callCore('dashboard.get', { batchId }),
    placeholderData: keepPreviousData,
  })
  if (dashboard.isPending) return <p className="empty-box">Loading overview…</p>
  if (dashboard.isError) return <p className="error-box">Could not load the overview: {dashboard.error.message}</p>
  const d = dashboard.data
  const everything = d.sources.reduce((s, x) => s + x.total, 0)
  if (everything === 0)
    return (
      <section className="dashboard" aria-label="Overview" data-testid="dashboard">
        <p className="empty-box">Nothing to chart yet: the local cache is empty. Sign in and sync, or score a file.</p>
        <TeamMetrics onOpenQueue={onOpenQueue} />
      </section>
    )
  // Every click keeps the charted source, so a day of a file opens that file's day.
  const source: QueueFilters = batchId === null ? {} : { batchId }
  const open = onOpenQueue === undefined ? undefined : (filters: QueueFilters) => onOpenQueue({ ...source, ...filters })
  const sourceName = d.sources.find((s) => s.batchId === batchId)?.name ?? 'Synced queue'
  return (
    <section className="dashboard" aria-label="Overview" data-testid="dashboard">
      <TeamMetrics onOpenQueue={onOpenQueue} />
      <h2 className="dashboard-section">Alerts in this console's cache</h2>
      <SourceTotals
        sources={d.sources}
        selected={batchId}
        onSelect={setBatchId}
        onOpenQueue={onOpenQueue === undefined ? undefined : (id) => onOpenQueue(id === null ? {} : { batchId: id })}
      />
      <h3 className="dashboard-section" data-testid="charted-source">
        {sourceName}
      </h3>
      <div className="kpis">
        <div>
          <strong data-testid="kpi-total">{d.total.toLocaleString()}</strong> alerts
        </div>
        <div>
          <strong>{d.open.toLocaleString()}</strong> open
        </div>
        <div>
          <strong>{d.days.reduce((s, x) => s + x.confirmedFraud, 0).toLocaleString()}</strong> confirmed fraud
        </div>
        <div>
          <strong>{d.days.reduce((s, x) => s + x.falsePositives, 0).toLocaleString()}</strong> false positives
        </div>
      </div>
      {d.total === 0 ? (
        <p className="empty-box">No alerts in {sourceName}: pick another source above.</p>
      ) : (
        <>
          <div className="chart-row">
            <AlertsPerDayChart days={d.days} onPickDay={open === undefined ? undefined : (day) => open(dayRange(day))} />
            <AmountPerDayChart days={d.days} currencies={d.currencies} onPickDay={open === undefined ? undefined : (day) => open(dayRange(day))} />
          </div>
          <div className="chart-row chart-row-3">
            <SeverityChart mix={d.severityMix} onPick={open === undefined ? undefined : (severity) => open({ severities: [severity] })} />
            <ScoreChart histogram={d.scoreHistogram} />
            <TopRulesChart rules={d.topRules} onPick={open === undefined ? undefined : (rule) => open({ rule })} />
          </div>
        </>
      )}
    </section>
  )
}
