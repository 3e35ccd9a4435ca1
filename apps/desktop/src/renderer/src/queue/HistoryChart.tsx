import { lazy, Suspense } from 'react'
import type { AccountHistoryProps } from '../charts/AccountHistoryPlot.tsx'

// The chart library is loaded when the first history is drawn, not with the queue's
// first paint (the queue chunk must not carry recharts).
const AccountHistoryPlot = lazy(async () => ({ default: (await import('../charts/AccountHistoryPlot.tsx')).AccountHistoryPlot }))

/** Amount over time for one account (time and amount axes, a tooltip), the alert in view ringed. */
export function HistoryChart(props: AccountHistoryProps) {
  if (props.points.length === 0) return <p className="muted">No other transactions of this account in the local cache.</p>
  return (
    <Suspense fallback={<p className="muted">Loading the chart…</p>}>
      <AccountHistoryPlot {...props} />
    </Suspense>
  )
}
