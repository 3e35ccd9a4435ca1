import type { TTeamMetrics } from '@anomalyze/shared'
import { BarPanel } from '../charts/BarPanel.tsx'
import { seriesColor } from '../charts/chart-colors.ts'
import { formatDayTick } from '../charts/chart-format.ts'

const DAY_MS = 86_400_000

/**
 * Cases closed per analyst per day: stacked bars, one colour an analyst, with a legend.
 * Days without closures still get their slot, so the time axis is even. Not clickable:
 * the queue has no filter by analyst.
 */
export function ClosedPerAnalystChart({ rows, days }: { rows: TTeamMetrics['closedPerAnalyst']; days: number }) {
  const analysts = [...new Map(rows.map((r) => [r.analyst.id, r.analyst])).values()]
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS
  const data = Array.from({ length: days }, (_, i) => {
    const day = today - (days - 1 - i) * DAY_MS
    const iso = new Date(day).toISOString().slice(0, 10)
    const counts = Object.fromEntries(analysts.map((a) => [a.id, rows.filter((r) => r.day === iso && r.analyst.id === a.id).reduce((s, r) => s + r.count, 0)]))
    return { day, ...counts }
  })
  const total = rows.reduce((s, r) => s + r.count, 0)
  return (
    <div data-testid="closed-per-analyst">
      <BarPanel
        title={`Cases closed per analyst per day (UTC) — ${total.toLocaleString()} in the period`}
        testId="chart-closed-per-analyst"
        data={data}
        categoryKey="day"
        categoryLabel="day closed (UTC)"
        formatCategory={(day) => formatDayTick(day)}
        series={analysts.map((a, i) => ({ key: a.id, name: a.name, color: seriesColor(i) }))}
        stacked
        alwaysLegend
        valueLabel="cases"

        emptyText="No case closed in the period."
      />
    </div>
  )
}
