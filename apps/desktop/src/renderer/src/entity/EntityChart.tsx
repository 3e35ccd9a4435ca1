import type { Severity, TEntityTransaction } from '@anomalyze/shared'
import { CartesianGrid, Legend, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts'
import { SEVERITY_COLOR } from '../charts/chart-colors.ts'
import { currencyLabel, formatAmountTick, formatCompact, timeTickFormatter } from '../charts/chart-format.ts'
import { TimeAmountTooltip, type TimeAmountPoint } from '../charts/TimeAmountTooltip.tsx'
import '../charts/charts.css'

type Point = TimeAmountPoint & { severityKey: Severity | null }
interface DotProps {
  cx?: number
  cy?: number
  payload?: Point
}

const TX_COLOR = '#7c8a99'

/**
 * Amounts over time for the transactions loaded so far (left axis, with the currency
 * when they share one), alerts as large dots in their severity colour, and alert scores
 * on the right axis (0-1). Not clickable: the entity view lists the transactions below.
 */
export function EntityChart({ items }: { items: TEntityTransaction[] }) {
  if (items.length === 0) return <p className="muted">No transactions to chart.</p>
  const minT = Math.min(...items.map((t) => t.timestamp))
  const maxT = Math.max(...items.map((t) => t.timestamp))
  const currencies = [...new Set(items.map((t) => t.currency))]
  const only = currencies.length === 1 ? currencies[0] : undefined
  const toPoint = (t: TEntityTransaction): Point => ({
    timestamp: t.timestamp,
    amount: t.amount,
    currency: t.currency,
    score: t.score,
    severity: t.severity,
    severityKey: t.severity,
    kind: t.anomalyId === null ? 'Transaction' : 'Alert',
  })
  const transactions = items.filter((t) => t.anomalyId === null).map(toPoint)
  const alerts = items.filter((t) => t.anomalyId !== null).map(toPoint)
  const scores = alerts.filter((a) => a.score !== null).map((a) => ({ ...a, scoreValue: a.score }))
  return (
    <figure className="chart-panel entity-chart" data-testid="entity-chart">
      <figcaption>
        Amounts and scores over time — {items.length.toLocaleString()} transactions loaded, {alerts.length.toLocaleString()} alerts
        {only === undefined && currencies.length > 1 ? ` (${currencies.map(currencyLabel).join(', ')} on one axis)` : ''}
      </figcaption>
      <ResponsiveContainer width="100%" height={260}>
        <ScatterChart margin={{ top: 8, right: 12, bottom: 18, left: 8 }} accessibilityLayer>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis
            dataKey="timestamp"
            type="number"
            domain={minT === maxT ? [minT - 3_600_000, maxT + 3_600_000] : ['dataMin', 'dataMax']}
            tickFormatter={timeTickFormatter(minT, maxT)}
            label={{ value: 'time (UTC)', position: 'insideBottom', offset: -10 }}
          />
          <YAxis
            yAxisId="amount"
            dataKey="amount"
            type="number"
            width={84}
            tickFormatter={(n: number) => (only === undefined ? formatCompact(n) : formatAmountTick(n, only))}
            label={{
              value: only === undefined ? 'amount' : `amount (${currencyLabel(only)})`,
              angle: -90,
              position: 'insideLeft',
              style: { textAnchor: 'middle' },
            }}
          />
          <YAxis
            yAxisId="score"
            orientation="right"
            dataKey="scoreValue"
            type="number"
            domain={[0, 1]}
            width={48}
            label={{ value: 'score', angle: 90, position: 'insideRight', style: { textAnchor: 'middle' } }}
          />
          <Tooltip content={TimeAmountTooltip} cursor={{ strokeDasharray: '3 3' }} />
          <Legend verticalAlign="top" height={24} />
          <Scatter
            name="transaction amount"
            yAxisId="amount"
            data={transactions}
            fill={TX_COLOR}
            isAnimationActive={false}
            shape={(d: DotProps) => <circle cx={d.cx} cy={d.cy} r={2.5} fill={TX_COLOR} />}
          />
          <Scatter
            name="alert amount (severity colour)"
            yAxisId="amount"
            data={alerts}
            fill={SEVERITY_COLOR.HIGH}
            isAnimationActive={false}
            shape={(d: DotProps) => (
              <circle cx={d.cx} cy={d.cy} r={5} fill={SEVERITY_COLOR[d.payload?.severityKey ?? 'MEDIUM']} stroke="var(--text)" strokeWidth={1} />
            )}
          />
          <Scatter
            name="alert score (right axis)"
            yAxisId="score"
            dataKey="scoreValue"
            data={scores}
            fill="#0072b2"
            shape="diamond"
            isAnimationActive={false}
          />
        </ScatterChart>
      </ResponsiveContainer>
    </figure>
  )
}
