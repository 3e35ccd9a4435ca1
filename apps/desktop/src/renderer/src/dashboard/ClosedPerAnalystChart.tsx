import type { TTeamMetrics } from '@anomalyze/shared'

const WIDTH = 640
const HEIGHT = 200
const LEFT = 34
const BOTTOM = 24
const TOP = 10
const COLORS = ['#2457d6', '#e0641a', '#2a9d8f', '#c8102e', '#8e5cd9', '#c79100', '#5b6b7c', '#d94f9b']

/**
 * Cases closed per analyst per day: stacked bars, one colour an analyst, with a legend.
 * Days without closures still get their slot, so the time axis is even.
 */
export function ClosedPerAnalystChart({ rows, days }: { rows: TTeamMetrics['closedPerAnalyst']; days: number }) {
  const analysts = [...new Map(rows.map((r) => [r.analyst.id, r.analyst])).values()]
  const end = Date.now()
  const dayList: string[] = []
  for (let i = days - 1; i >= 0; i -= 1) dayList.push(new Date(end - i * 86_400_000).toISOString().slice(0, 10))
  const byDay = new Map<string, Map<string, number>>()
  for (const r of rows) {
    const m = byDay.get(r.day) ?? new Map<string, number>()
    m.set(r.analyst.id, (m.get(r.analyst.id) ?? 0) + r.count)
    byDay.set(r.day, m)
  }
  const totals = dayList.map((d) => [...(byDay.get(d)?.values() ?? [])].reduce((s, n) => s + n, 0))
  const max = Math.max(1, ...totals)
  const slot = (WIDTH - LEFT) / dayList.length
  const plotH = HEIGHT - TOP - BOTTOM
  const labelEvery = Math.max(1, Math.ceil(dayList.length / 8))
  const total = totals.reduce((s, n) => s + n, 0)
  return (
    <figure className="bar-chart closed-chart" data-testid="closed-per-analyst">
      <figcaption>Cases closed per analyst per day (UTC) — {total.toLocaleString()} in the period</figcaption>
      {analysts.length === 0 ? (
        <p className="muted">No case closed in the period.</p>
      ) : (
        <>
          <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label="Cases closed per analyst per day">
            {/* Whole cases only: a half-way tick at max 1 would read "1" twice. */}
            {[...new Set([0, Math.round(max / 2), max])].map((value) => {
              const y = TOP + plotH * (1 - value / max)
              return (
                <g key={value}>
                  <line x1={LEFT} x2={WIDTH} y1={y} y2={y} className="grid-line" />
                  <text x={LEFT - 4} y={y + 3} textAnchor="end" className="axis-label">
                    {value}
                  </text>
                </g>
              )
            })}
            {dayList.map((day, i) => {
              let y = TOP + plotH
              return (
                <g key={day}>
                  {analysts.map((a, ai) => {
                    const n = byDay.get(day)?.get(a.id) ?? 0
                    if (n === 0) return null
                    const h = (n / max) * plotH
                    y -= h
                    return (
                      <rect key={a.id} x={LEFT + i * slot + slot * 0.15} y={y} width={slot * 0.7} height={h} fill={COLORS[ai % COLORS.length]}>
                        <title>{`${day}: ${a.name} closed ${n}`}</title>
                      </rect>
                    )
                  })}
                  {i % labelEvery === 0 && (
                    <text x={LEFT + i * slot + slot / 2} y={HEIGHT - 8} textAnchor="middle" className="axis-label">
                      {day.slice(5)}
                    </text>
                  )}
                </g>
              )
            })}
          </svg>
          <p className="chart-legend">
            {analysts.map((a, ai) => (
              <span key={a.id} className="legend-item">
                <span className="legend-swatch" style={{ background: COLORS[ai % COLORS.length] }} /> {a.name}
              </span>
            ))}
          </p>
        </>
      )}
    </figure>
  )
}
