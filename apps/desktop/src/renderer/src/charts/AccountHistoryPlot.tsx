import type { Severity } from '@anomalyze/shared'
import { CartesianGrid, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts'
import type { HistoryPoint } from '../../../contract/queue.ts'
import { SEVERITY_COLOR } from './chart-colors.ts'
import { currencyLabel, formatAmountTick, formatCompact, timeTickFormatter } from './chart-format.ts'
import { TimeAmountTooltip, type TimeAmountPoint } from './TimeAmountTooltip.tsx'
import './charts.css'

export interface AccountHistoryProps {
  points: HistoryPoint[]
  highlightId: string
  /** The account's currency (the alert's); history points do not carry one. */
  currency?: string
}

/** Amount over time for one account, axes in UTC time and amount; the alert in view is the large ringed dot. */
export function AccountHistoryPlot({ points, highlightId, currency }: AccountHistoryProps) {
  const minT = Math.min(...points.map((p) => p.timestamp))
  const maxT = Math.max(...points.map((p) => p.timestamp))
  const tick = timeTickFormatter(minT, maxT)
  const toPoint = (p: HistoryPoint, kind: string): TimeAmountPoint & { severityKey: Severity } => ({
    timestamp: p.timestamp,
    amount: p.amount,
    currency: currency ?? '',
    score: p.score,
    severity: p.severity,
    severityKey: p.severity,
    kind,
  })
  const others = points.filter((p) => p.id !== highlightId).map((p) => toPoint(p, 'Earlier alert of this account'))
  const current = points.filter((p) => p.id === highlightId).map((p) => toPoint(p, 'This alert'))
  return (
    <figure className="chart-panel history-chart" data-testid="history-chart">
      <ResponsiveContainer width="100%" height={170}>
        <ScatterChart margin={{ top: 8, right: 12, bottom: 18, left: 8 }} accessibilityLayer>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis
            dataKey="timestamp"
            type="number"
            domain={minT === maxT ? [minT - 3_600_000, maxT + 3_600_000] : ['dataMin', 'dataMax']}
            tickFormatter={tick}
            tickCount={4}
            label={{ value: 'time (UTC)', position: 'insideBottom', offset: -10 }}
          />
          <YAxis
            dataKey="amount"
            type="number"
            width={76}
            tickFormatter={(n: number) => (currency === undefined ? formatCompact(n) : formatAmountTick(n, currency))}
            label={{
              value: currency === undefined ? 'amount' : `amount (${currencyLabel(currency)})`,
              angle: -90,
              position: 'insideLeft',
              style: { textAnchor: 'middle' },
            }}
          />
          <Tooltip content={TimeAmountTooltip} cursor={{ strokeDasharray: '3 3' }} />
          <Scatter
            data={others}
            isAnimationActive={false}
            line={{ stroke: 'var(--muted)', strokeOpacity: 0.4 }}
            lineJointType="linear"
            shape={(dot: { cx?: number; cy?: number; payload?: { severityKey: Severity } }) => (
              <circle cx={dot.cx} cy={dot.cy} r={3} fill={SEVERITY_COLOR[dot.payload?.severityKey ?? 'LOW']} />
            )}
          />
          <Scatter
            data={current}
            name="This alert"
            isAnimationActive={false}
            shape={(dot: { cx?: number; cy?: number; payload?: { severityKey: Severity } }) => (
              <circle
                cx={dot.cx}
                cy={dot.cy}
                r={6}
                fill={SEVERITY_COLOR[dot.payload?.severityKey ?? 'LOW']}
                stroke="var(--text)"
                strokeWidth={2}
                data-testid="history-current"
              />
            )}
          />
        </ScatterChart>
      </ResponsiveContainer>
      <figcaption className="muted">{points.length} transactions of this account; this alert is the large ringed dot. Colours are severities.</figcaption>
    </figure>
  )
}
