import type { HistoryPoint } from '../../../contract/queue.ts'
import { formatTime } from '../format.ts'

interface Props {
  points: HistoryPoint[]
  highlightId: string
}

const WIDTH = 360
const HEIGHT = 120
const PAD = 6

/** Amount over time for one account; the anomaly in view is the ringed dot. Plain SVG. */
export function HistoryChart({ points, highlightId }: Props) {
  if (points.length === 0) return <p className="muted">No other transactions of this account in the local cache.</p>
  const minT = Math.min(...points.map((p) => p.timestamp))
  const maxT = Math.max(...points.map((p) => p.timestamp))
  const maxA = Math.max(...points.map((p) => p.amount), 1)
  const x = (t: number): number => PAD + ((t - minT) / Math.max(maxT - minT, 1)) * (WIDTH - 2 * PAD)
  const y = (a: number): number => HEIGHT - PAD - (a / maxA) * (HEIGHT - 2 * PAD)
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.timestamp).toFixed(1)},${y(p.amount).toFixed(1)}`).join(' ')
  return (
    <figure className="history-chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`Amounts of ${points.length} recent transactions of this account`}>
        <path d={path} fill="none" stroke="currentColor" strokeOpacity={0.35} />
        {points.map((p) => (
          <circle
            key={p.id}
            cx={x(p.timestamp)}
            cy={y(p.amount)}
            r={p.id === highlightId ? 5 : 2.5}
            className={`dot sev-${p.severity} ${p.id === highlightId ? 'is-current' : ''}`}
          >
            <title>{`${formatTime(p.timestamp)}  ${p.amount.toFixed(2)}  score ${p.score.toFixed(2)}`}</title>
          </circle>
        ))}
      </svg>
      <figcaption className="muted">
        {points.length} transactions, {formatTime(minT)} – {formatTime(maxT)}; max {maxA.toFixed(2)}
      </figcaption>
    </figure>
  )
}
