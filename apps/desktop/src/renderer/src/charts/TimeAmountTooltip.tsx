import { formatTime } from '../format.ts'
import { formatMoney } from './chart-format.ts'

export interface TimeAmountPoint {
  timestamp: number
  amount: number
  currency: string
  score: number | null
  severity: string | null
  /** "This alert", "Alert", "Transaction". */
  kind: string
}

/** A tooltip for one transaction on a time/amount chart: when, how much in which currency, its score. */
export function TimeAmountTooltip({ active, payload }: { active?: boolean; payload?: ReadonlyArray<{ payload?: unknown }> }) {
  const point = active === true ? (payload?.[0]?.payload as TimeAmountPoint | undefined) : undefined
  if (point === undefined) return null
  return (
    <div className="recharts-default-tooltip chart-tooltip" style={{ padding: '6px 8px', border: '1px solid var(--line)', background: 'var(--panel)' }}>
      <strong>{point.kind}</strong>
      <div>{formatTime(point.timestamp)} UTC</div>
      <div>{formatMoney(point.amount, point.currency)}</div>
      {point.score !== null && (
        <div>
          score {point.score.toFixed(3)}
          {point.severity === null ? '' : ` · ${point.severity.toLowerCase()}`}
        </div>
      )}
    </div>
  )
}
