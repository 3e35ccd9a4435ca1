import { parseExplanationData, type ExplanationBar, type ExplanationView, type TIsolationShare } from '@anomalyze/shared/engine'

/**
 * What the explanation chart beside the sentence draws, as pure data and text: which
 * contributions get a bar, how each is written, and the summary a screen reader hears.
 */

/** Rows the chart draws: enough for the main reasons, few enough for the detail pane. */
export const MAX_BARS = 6
/** One bar's row, in px (the chart and its placeholder are the same height). */
const ROW_PX = 26
const CHART_MARGIN_PX = 8
// Below this a contribution rounds to "+0.000": rounding, not a reason (the sentence skips them too).
const SHOWN_AT_LEAST = 0.0005
// Room beyond the longest bar on each side that has bars, for its value label ("−0.123").
const LABEL_ROOM = 0.35

/**
 * Okabe-Ito vermillion and blue: warm for what raised the score, cool for what lowered it,
 * told apart with the common colour-vision deficiencies. Colour is never the only cue:
 * the bar's side of the zero line and its signed value say the same.
 */
export const RAISED_COLOR = '#d55e00'
export const LOWERED_COLOR = '#0072b2'

export type ExplanationUnits = ExplanationView['units']

export interface ChartBar extends ExplanationBar {
  direction: 'raised' | 'lowered'
  /** The signed value as the bar's label writes it: "+0.12", "−0.03". */
  valueText: string
}

export interface ExplanationChart {
  units: ExplanationUnits
  bars: ChartBar[]
  isolationShare: TIsolationShare | null
}

/**
 * The chart for an anomaly's stored explanationData (any version, any shape: it comes
 * from the cache or the server), or null when it holds nothing worth a bar: no empty box.
 */
export function explanationChart(data: unknown): ExplanationChart | null {
  const view = parseExplanationData(data)
  if (view === null) return null
  const bars = chartBars(view)
  return bars.length === 0 ? null : { units: view.units, bars, isolationShare: view.isolationShare }
}

/** The largest contributions worth a bar (largest |contribution| first), at most `max`. */
export function chartBars(view: ExplanationView, max = MAX_BARS): ChartBar[] {
  return view.bars
    .filter((bar) => Number.isFinite(bar.contribution) && Math.abs(bar.contribution) >= SHOWN_AT_LEAST)
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
    .slice(0, max)
    .map((bar) => ({ ...bar, direction: bar.contribution > 0 ? 'raised' : 'lowered', valueText: formatContribution(bar.contribution) }))
}

/**
 * A push on the score, signed, with as many decimals as the sentence uses (three below
 * 0.01, else two), so chart and sentence show the same figure. A true minus sign.
 */
export function formatContribution(contribution: number): string {
  const size = Math.abs(contribution)
  return `${contribution < 0 ? '\u2212' : '+'}${size.toFixed(size < 0.01 ? 3 : 2)}`
}

/** What the figures are: score points (v2) or an older row's raw tree units, which are not. */
export function unitsName(units: ExplanationUnits): string {
  return units === 'score' ? 'score points' : 'model units'
}

/** The caption's first line: what the two sides mean, and in which units. */
export function directionCaption(units: ExplanationUnits): string {
  return units === 'score'
    ? 'What raised the score (right of zero) / what lowered it (left of zero), in score points.'
    : 'What raised the score, in model units: this alert was scored before explanations added up to the score, and what lowered it was not kept.'
}

/** "Isolation forest: +0.04 of the score (blend weight 0.1)", or null without a blend. */
export function isolationCaption(share: TIsolationShare | null): string | null {
  if (share === null || !Number.isFinite(share.contribution) || !Number.isFinite(share.weight)) return null
  return `Isolation forest: ${formatContribution(share.contribution)} of the score (blend weight ${String(Number(share.weight.toFixed(2)))})`
}

/** The chart's accessible name: the top raise and the top lower with their figures. */
export function explanationSummary(bars: readonly ChartBar[], units: ExplanationUnits): string {
  const raised = bars.find((bar) => bar.direction === 'raised')
  const lowered = bars.find((bar) => bar.direction === 'lowered')
  const raise = raised === undefined ? 'nothing raised the score' : `raised most by ${raised.label} (${raised.valueText})`
  const lower = lowered === undefined ? (units === 'score' ? 'nothing lowered it' : null) : `lowered most by ${lowered.label} (${lowered.valueText})`
  return `Explanation chart in ${unitsName(units)}: ${[raise, lower].filter((part) => part !== null).join('; ')}.`
}

/** The tooltip of one bar: the phrase, the figure, and the isolation forest's part when known and non-zero. */
export function tooltipLines(bar: ChartBar, units: ExplanationUnits): string[] {
  const lines = [bar.text, `${bar.valueText} ${unitsName(units)}`]
  if (bar.isolation !== null && Math.abs(bar.isolation) >= SHOWN_AT_LEAST) lines.push(`of which isolation forest ${formatContribution(bar.isolation)}`)
  return lines
}

/** Height of a chart of `count` bars (and of its placeholder while it waits). */
export function chartHeight(count: number): number {
  return count * ROW_PX + CHART_MARGIN_PX
}

/**
 * The value axis: zero where it falls, the longest bar on each side plus room for its
 * label; a side without bars gets no room, so the bars use the pane's width.
 */
export function valueDomain(bars: readonly ChartBar[]): [number, number] {
  const low = Math.min(0, ...bars.map((bar) => bar.contribution))
  const high = Math.max(0, ...bars.map((bar) => bar.contribution))
  const span = high - low || 1
  return [low < 0 ? low - span * LABEL_ROOM : 0, high > 0 ? high + span * LABEL_ROOM : 0]
}
