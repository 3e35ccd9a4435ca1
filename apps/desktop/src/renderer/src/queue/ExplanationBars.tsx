import { lazy, Suspense, useMemo } from 'react'
import { useSettled } from '../hooks/useSettled.ts'
import { chartHeight, directionCaption, explanationChart, explanationSummary, isolationCaption, unitsName } from './explanation-bars.ts'

// The chart library is loaded when the first explanation is drawn, not with the queue's
// first paint (the queue chunk must not carry recharts).
const ExplanationBarsPlot = lazy(async () => ({ default: (await import('./ExplanationBarsPlot.tsx')).ExplanationBarsPlot }))

interface Props {
  /** The anomaly's stored explanationData, unparsed (any version, or none). */
  data: unknown
  /** The chart is drawn once the cursor stayed this long on the alert (see DetailPane). */
  settleMs: number
}

/**
 * The explanation's largest contributions as a small bar chart under the sentence, with
 * its figures in a table for screen readers and a caption on what the sides and units
 * mean. Nothing at all for a row without contributions (old fixtures, plain rows).
 */
export function ExplanationBars({ data, settleMs }: Props) {
  const chart = useMemo(() => explanationChart(data), [data])
  // Like the account chart: a fixed-height placeholder while the analyst is still moving.
  const settled = useSettled(chart, settleMs)
  if (chart === null) return null
  const units = unitsName(chart.units)
  const isolation = isolationCaption(chart.isolationShare)
  return (
    <figure className="chart-panel explanation-bars" data-testid="explanation-bars" data-units={chart.units}>
      <div role="img" aria-label={explanationSummary(chart.bars, chart.units)} aria-busy={settled === undefined}>
        {settled === undefined || settled === null ? (
          <div style={{ height: chartHeight(chart.bars.length) }} data-testid="explanation-bars-pending" />
        ) : (
          <Suspense fallback={<div style={{ height: chartHeight(settled.bars.length) }} />}>
            <ExplanationBarsPlot bars={settled.bars} units={settled.units} />
          </Suspense>
        )}
      </div>
      <table className="explanation-figures" data-testid="explanation-figures">
        <caption>Largest contributions to the score, in {units}</caption>
        <thead>
          <tr>
            <th scope="col">Feature</th>
            <th scope="col">Why</th>
            <th scope="col">Contribution</th>
          </tr>
        </thead>
        <tbody>
          {chart.bars.map((bar) => (
            <tr key={bar.feature} data-direction={bar.direction}>
              <th scope="row">{bar.label}</th>
              <td>{bar.text}</td>
              <td>{bar.valueText}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <figcaption className="muted" data-testid="explanation-bars-caption">
        {directionCaption(chart.units)}
        {isolation !== null && <span className="explanation-isolation">{isolation}</span>}
      </figcaption>
    </figure>
  )
}
