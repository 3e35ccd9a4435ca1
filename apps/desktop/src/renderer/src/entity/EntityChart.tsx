import type { TEntityTransaction } from '@anomalyze/shared'
import { formatDay, formatTime } from '../format.ts'

const WIDTH = 1300
const HEIGHT = 240
const LEFT = 64
const RIGHT = 44
const TOP = 12
const BOTTOM = 30

/** Round tick values for an axis from 0 to max (about four of them). */
function ticks(max: number): number[] {
  if (max <= 0) return [0]
  const raw = max / 4
  const step = 10 ** Math.floor(Math.log10(raw))
  const nice = [1, 2, 2.5, 5, 10].map((m) => m * step).find((s) => s >= raw) ?? raw
  // Up to the first tick at or above max, so the largest amount stays inside the plot.
  const out: number[] = [0]
  while ((out[out.length - 1] ?? 0) < max) out.push((out[out.length - 1] ?? 0) + nice)
  return out
}

function compact(n: number): string {
  return Math.abs(n) >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)}M` : Math.abs(n) >= 1_000 ? `${(n / 1_000).toFixed(n >= 10_000 ? 0 : 1)}k` : n.toFixed(0)
}

/**
 * Amounts (dots, left axis) and alert scores (diamonds, right axis 0-1) over time for
 * the transactions loaded so far; alerts are the ringed, coloured dots. Plain SVG.
 */
export function EntityChart({ items }: { items: TEntityTransaction[] }) {
  if (items.length === 0) return <p className="muted">No transactions to chart.</p>
  const times = items.map((t) => t.timestamp)
  const minT = Math.min(...times)
  const maxT = Math.max(...times)
  const amountTicks = ticks(Math.max(...items.map((t) => t.amount), 1))
  const maxA = amountTicks[amountTicks.length - 1] ?? 1
  const plotW = WIDTH - LEFT - RIGHT
  const plotH = HEIGHT - TOP - BOTTOM
  const x = (t: number): number => LEFT + ((t - minT) / Math.max(maxT - minT, 1)) * plotW
  const yA = (a: number): number => TOP + plotH - (a / Math.max(maxA, 1)) * plotH
  const yS = (s: number): number => TOP + plotH - s * plotH
  const dayTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => minT + f * (maxT - minT))
  const alerts = items.filter((t) => t.anomalyId !== null)
  return (
    <figure className="entity-chart" data-testid="entity-chart">
      <figcaption>
        Amounts and scores over time — {items.length.toLocaleString()} transactions loaded, {alerts.length.toLocaleString()} alerts (ringed)
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`Amounts and scores of ${items.length} transactions, ${alerts.length} alerts marked`}>
        {amountTicks.map((v) => (
          <g key={`a${v}`}>
            <line x1={LEFT} x2={WIDTH - RIGHT} y1={yA(v)} y2={yA(v)} className="grid-line" />
            <text x={LEFT - 6} y={yA(v) + 3} textAnchor="end" className="axis-label">
              {compact(v)}
            </text>
          </g>
        ))}
        {[0, 0.5, 1].map((s) => (
          <text key={`s${s}`} x={WIDTH - RIGHT + 6} y={yS(s) + 3} className="axis-label score-axis">
            {s.toFixed(1)}
          </text>
        ))}
        {dayTicks.map((t, i) => (
          <text key={`t${i}`} x={x(t)} y={HEIGHT - 10} textAnchor={i === 0 ? 'start' : i === 4 ? 'end' : 'middle'} className="axis-label">
            {maxT - minT < 2 * 86_400_000 ? formatTime(t).slice(5) : formatDay(t)}
          </text>
        ))}
        <text x={12} y={TOP + plotH / 2} className="axis-title" transform={`rotate(-90 12 ${TOP + plotH / 2})`} textAnchor="middle">
          amount
        </text>
        <text x={WIDTH - 6} y={TOP + plotH / 2} className="axis-title" transform={`rotate(90 ${WIDTH - 6} ${TOP + plotH / 2})`} textAnchor="middle">
          score
        </text>
        {items.map((t) => (
          <circle
            key={t.id}
            cx={x(t.timestamp)}
            cy={yA(t.amount)}
            r={t.anomalyId === null ? 2 : 4.5}
            className={t.anomalyId === null ? 'tx-dot' : `alert-dot sev-${t.severity ?? 'MEDIUM'}`}
          >
            <title>{`${formatTime(t.timestamp)} UTC  ${t.amount.toFixed(2)} ${t.currency}${t.score === null ? '' : `  score ${t.score.toFixed(2)}`}`}</title>
          </circle>
        ))}
        {alerts.map((t) =>
          t.score === null ? null : (
            <rect
              key={`s${t.id}`}
              x={x(t.timestamp) - 3}
              y={yS(t.score) - 3}
              width={6}
              height={6}
              transform={`rotate(45 ${x(t.timestamp)} ${yS(t.score)})`}
              className="score-mark"
            >
              <title>{`score ${t.score.toFixed(3)}`}</title>
            </rect>
          ),
        )}
      </svg>
      <p className="chart-legend muted">
        <span className="legend-dot tx" /> transaction amount <span className="legend-dot alert" /> alert (ringed, coloured by severity){' '}
        <span className="legend-diamond" /> alert score (right axis)
      </p>
    </figure>
  )
}
