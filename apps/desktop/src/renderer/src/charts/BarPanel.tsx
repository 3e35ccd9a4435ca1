import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis, type BarShapeProps } from 'recharts'
import { formatCompact, formatExact } from './chart-format.ts'
import { PickableBar, type BarPick } from './PickableBar.tsx'
import './charts.css'

export interface BarSeries {
  /** The row field holding this series' value. */
  key: string
  name: string
  color: string
}

interface Props<Row extends object, K extends keyof Row & string> {
  title: string
  testId: string
  /** A legend even for one series (when the series' name is the point, e.g. an analyst). */
  alwaysLegend?: boolean
  data: Row[]
  /** The row field naming each bar (a day, a severity, a rule). */
  categoryKey: K
  categoryLabel: string
  formatCategory?: (value: Row[K]) => string
  series: BarSeries[]
  valueLabel: string
  formatValueTick?: (n: number) => string
  /** Exact tooltip text for one series' value. */
  formatValue?: (n: number, seriesKey: string) => string
  /** A colour per bar (severities) instead of the series colour. */
  colorOf?: (row: Row) => string
  stacked?: boolean
  /** Bars across (long category names such as rules). */
  horizontal?: boolean
  height?: number
  /** Clicking (or Enter on) a bar: usually opens the queue filtered to it. */
  pick?: BarPick<Row>
  /** Shown instead of an empty plot. */
  emptyText: string
}

/**
 * The console's bar chart: labelled axes with readable ticks, a tooltip with exact
 * values, a legend when there is more than one series, and bars that open the queue.
 */
export function BarPanel<Row extends object, K extends keyof Row & string>(props: Props<Row, K>) {
  const { title, testId, data, categoryKey, series, pick, horizontal = false, height = 220 } = props
  const formatCategory = props.formatCategory ?? ((v: unknown) => String(v))
  const formatValueTick = props.formatValueTick ?? formatCompact
  const formatValue = props.formatValue ?? ((n: number) => formatExact(n))
  const hasValues = data.some((row) => series.some((s) => Number((row as Record<string, unknown>)[s.key] ?? 0) > 0))
  const categoryAxis = {
    dataKey: (row: Row) => row[categoryKey],
    type: 'category' as const,
    tickFormatter: (v: unknown) => formatCategory(v as Row[K]),
    label: horizontal ? undefined : { value: props.categoryLabel, position: 'insideBottom' as const, offset: -12 },
  }
  const valueAxis = {
    type: 'number' as const,
    allowDecimals: false,
    tickFormatter: formatValueTick,
    label: horizontal
      ? { value: props.valueLabel, position: 'insideBottom' as const, offset: -12 }
      : { value: props.valueLabel, angle: -90, position: 'insideLeft' as const, style: { textAnchor: 'middle' as const } },
  }
  return (
    <figure className="chart-panel" data-testid={testId}>
      <figcaption>{title}</figcaption>
      {!hasValues ? (
        <p className="muted">{props.emptyText}</p>
      ) : (
        <>
          <ResponsiveContainer width="100%" height={height}>
            <BarChart
              data={data}
              layout={horizontal ? 'vertical' : 'horizontal'}
              margin={{ top: 8, right: 16, bottom: 20, left: horizontal ? 8 : 16 }}
              accessibilityLayer
            >
              <CartesianGrid strokeDasharray="3 3" vertical={horizontal} horizontal={!horizontal} />
              {horizontal ? (
                <>
                  <XAxis {...valueAxis} />
                  <YAxis {...categoryAxis} width={140} />
                </>
              ) : (
                <>
                  <XAxis {...categoryAxis} minTickGap={12} />
                  <YAxis {...valueAxis} width={72} />
                </>
              )}
              <Tooltip
                labelFormatter={(label) => formatCategory(label as Row[K])}
                formatter={(value, _name, item) => formatValue(Number(value), String(item.dataKey))}
                cursor={{ fillOpacity: 0.08 }}
              />
              {(series.length > 1 || props.alwaysLegend === true) && <Legend verticalAlign="top" height={24} />}
              {series.map((s) => (
                <Bar
                  key={s.key}
                  dataKey={s.key}
                  name={s.name}
                  fill={s.color}
                  stackId={props.stacked === true ? 'stack' : undefined}
                  isAnimationActive={false}
                  maxBarSize={48}
                  shape={(bar: BarShapeProps) => <PickableBar bar={bar} fill={props.colorOf?.(bar.payload as Row) ?? s.color} pick={pick} />}
                />
              ))}
            </BarChart>
          </ResponsiveContainer>
          {pick !== undefined && <p className="muted chart-hint">Click a bar, or focus it with Tab and press Enter, to open those alerts in the queue.</p>}
        </>
      )}
    </figure>
  )
}
