import { Bar, CartesianGrid, ComposedChart, Legend, Line, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import type { TBacktestResult } from '@anomalyze/shared'

/**
 * Hits per day of the tested set (bars) against the rules in force (a line), under the
 * organisation's alert budget (a dashed line): the question a publish asks.
 */
export function BacktestChart({ result }: { result: TBacktestResult }) {
  const data = result.perDay.map((d) => ({ day: d.day.slice(5), tested: d.draftHits, inForce: d.currentHits }))
  return (
    <figure className="backtest-chart" data-testid="backtest-chart" aria-label="Hits per day: tested rules against the rules in force">
      <ResponsiveContainer width="100%" height={240}>
        <ComposedChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid stroke="var(--line)" strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="day" stroke="var(--muted)" fontSize={11} tickMargin={4} />
          <YAxis
            allowDecimals={false}
            stroke="var(--muted)"
            fontSize={11}
            width={44}
            label={{ value: 'hits', angle: -90, position: 'insideLeft', fill: 'var(--muted)', fontSize: 11 }}
          />
          <Tooltip
            contentStyle={{ background: 'var(--panel)', border: '1px solid var(--line)', fontSize: 12 }}
            labelFormatter={(day) => `Day ${String(day)}`}
          />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Bar dataKey="tested" name="Tested rules (ACTIVE)" fill="var(--accent)" isAnimationActive={false} />
          <ReferenceLine
            y={result.alertBudgetPerDay}
            stroke="var(--critical)"
            strokeDasharray="6 4"
            ifOverflow="extendDomain"
            label={{ value: `budget ${result.alertBudgetPerDay}`, position: 'insideTopRight', fill: 'var(--critical)', fontSize: 11 }}
          />
          <Line dataKey="inForce" name="Rules in force" type="monotone" stroke="var(--high)" strokeWidth={2} dot={false} isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
      <figcaption className="muted">
        Hits per day, {result.days} day{result.days === 1 ? '' : 's'} to {result.perDay.at(-1)?.day ?? '—'}; the busiest day had{' '}
        {result.peakHitsPerDay.toLocaleString()} (budget {result.alertBudgetPerDay.toLocaleString()} alerts a day).
      </figcaption>
    </figure>
  )
}
