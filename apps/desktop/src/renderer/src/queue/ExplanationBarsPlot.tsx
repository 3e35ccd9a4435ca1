import {
  Bar,
  BarChart,
  LabelList,
  ReferenceLine,
  ResponsiveContainer,
  Text,
  Tooltip,
  XAxis,
  YAxis,
  type BarShapeProps,
  type LabelProps,
  type YAxisTickContentProps,
} from 'recharts'
import '../charts/charts.css'
import { chartHeight, LOWERED_COLOR, RAISED_COLOR, tooltipLines, valueDomain, type ChartBar, type ExplanationUnits } from './explanation-bars.ts'

export interface ExplanationBarsPlotProps {
  bars: ChartBar[]
  units: ExplanationUnits
}

/** Width of the feature labels beside the bars (two lines at most, then an ellipsis). */
const LABEL_WIDTH = 148

/**
 * The contributions as horizontal bars from a zero line: right for what raised the
 * score, left for what lowered it, each with its signed figure at its outer end.
 * Loaded lazily (see ExplanationBars): the queue chunk does not carry recharts.
 */
export function ExplanationBarsPlot({ bars, units }: ExplanationBarsPlotProps) {
  return (
    <ResponsiveContainer width="100%" height={chartHeight(bars.length)}>
      <BarChart data={bars} layout="vertical" margin={{ top: 4, right: 4, bottom: 4, left: 0 }} barCategoryGap={5}>
        <XAxis type="number" dataKey="contribution" domain={valueDomain(bars)} hide />
        <YAxis type="category" dataKey="label" width={LABEL_WIDTH} interval={0} axisLine={false} tickLine={false} tick={FeatureTick} />
        <Tooltip content={(props) => <BarTooltip {...props} units={units} />} cursor={{ fillOpacity: 0.08 }} />
        <ReferenceLine x={0} stroke="var(--muted)" />
        <Bar dataKey="contribution" isAnimationActive={false} shape={BarShape}>
          <LabelList dataKey="valueText" content={(props) => <ValueLabel {...props} bars={bars} />} />
        </Bar>
      </BarChart>
    </ResponsiveContainer>
  )
}

/** The feature in the analyst's words, right-aligned to the bars, wrapped onto two lines at most. */
function FeatureTick({ x, y, payload }: YAxisTickContentProps) {
  return (
    <Text
      x={x}
      y={y}
      dx={-6}
      width={LABEL_WIDTH - 8}
      maxLines={2}
      textAnchor="end"
      verticalAnchor="middle"
      className="explanation-bar-label"
      fontSize={11}
      fill="var(--text)"
    >
      {String(payload.value)}
    </Text>
  )
}

/** A bar of either sign (recharts may give a negative width for one left of zero). */
function BarShape(bar: BarShapeProps) {
  const { x, y, width, height } = bar
  const direction = (bar.payload as ChartBar).direction
  if (!(Math.abs(width) > 0)) return <g />
  return (
    <rect
      x={width < 0 ? x + width : x}
      y={y}
      width={Math.abs(width)}
      height={height}
      fill={direction === 'raised' ? RAISED_COLOR : LOWERED_COLOR}
      className={`explanation-bar explanation-bar-${direction}`}
    />
  )
}

/** The signed figure just past the bar's outer end: to the right of a raise, to the left of a lower. */
function ValueLabel({ x, y, width, height, value, index, bars }: LabelProps & { bars: readonly ChartBar[] }) {
  const bar = index === undefined ? undefined : bars[index]
  if (bar === undefined) return null
  const [left, top, w, h] = [Number(x), Number(y), Number(width), Number(height)]
  const raised = bar.direction === 'raised'
  const end = raised ? Math.max(left, left + w) + 4 : Math.min(left, left + w) - 4
  return (
    <text x={end} y={top + h / 2} dy="0.35em" textAnchor={raised ? 'start' : 'end'} className="explanation-bar-value" fontSize={11}>
      {String(value)}
    </text>
  )
}

/** The bar's phrase ("amount is 7.2× this card's usual"), its figure and the isolation forest's part. */
function BarTooltip({ active, payload, units }: { active?: boolean; payload?: ReadonlyArray<{ payload?: unknown }>; units: ExplanationUnits }) {
  const bar = active === true ? (payload?.[0]?.payload as ChartBar | undefined) : undefined
  if (bar === undefined) return null
  const [phrase, ...figures] = tooltipLines(bar, units)
  return (
    <div className="recharts-default-tooltip chart-tooltip explanation-tooltip">
      <strong>{bar.label}</strong>
      <div>{phrase}</div>
      {figures.map((line) => (
        <div key={line}>{line}</div>
      ))}
    </div>
  )
}
