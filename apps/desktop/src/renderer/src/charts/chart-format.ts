/** Axis and tooltip text shared by every chart: short dates, compact numbers, currencies. */

const DAY_MS = 86_400_000
const DAY_TICK = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' })
const DAY_TIME_TICK = new Intl.DateTimeFormat('en-US', {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZone: 'UTC',
})
const COMPACT = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 })
const EXACT = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 })
const MONEY = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 })

/** "XXX" is ISO 4217's "no currency": a scored file without a currency column. */
export const UNKNOWN_CURRENCY = 'XXX'

/** A day as an axis tick, in UTC like the queue's date filter: "Dec 4". */
export function formatDayTick(ms: number): string {
  return DAY_TICK.format(ms)
}

/** A moment as an axis tick when a chart spans hours: "Dec 4, 13:05". */
export function formatDayTimeTick(ms: number): string {
  return DAY_TIME_TICK.format(ms)
}

/** An axis number that fits a tick: 950, 1.2k, 3.4M (thousands lower-case, as analysts write them). */
export function formatCompact(n: number): string {
  return COMPACT.format(n).replace('K', 'k')
}

/** An exact count or amount for a tooltip, in the analyst's locale. */
export function formatExact(n: number): string {
  return EXACT.format(n)
}

/** A currency code as an analyst reads it: a file without one shows "unknown". */
export function currencyLabel(code: string): string {
  return code === UNKNOWN_CURRENCY ? 'unknown' : code
}

/** An amount tick with its currency: "1.2k USD", "350 unknown". */
export function formatAmountTick(n: number, currency: string): string {
  return `${formatCompact(n)} ${currencyLabel(currency)}`
}

/** An exact amount for a tooltip: "1,234.50 USD", "12.00 unknown". */
export function formatMoney(n: number, currency: string): string {
  return `${MONEY.format(n)} ${currencyLabel(currency)}`
}

/** The queue's date filter for one UTC day: from its midnight (inclusive) to the next (exclusive). */
export function dayRange(dayMs: number): { from: number; to: number } {
  const from = Math.floor(dayMs / DAY_MS) * DAY_MS
  return { from, to: from + DAY_MS }
}

/** Time ticks for a span: whole days when it covers two or more, else moments. */
export function timeTickFormatter(minMs: number, maxMs: number): (ms: number) => string {
  return maxMs - minMs >= 2 * DAY_MS ? formatDayTick : formatDayTimeTick
}
