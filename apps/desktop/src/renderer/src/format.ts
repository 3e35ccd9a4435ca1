/** Display helpers; the analyst's locale decides separators. */
// One formatter for every amount: toLocaleString with options builds a new one per
// call, a third of a millisecond each, sixty times per screen of the queue.
const AMOUNT = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 })

/** ISO 4217's "no currency": what a file without a currency column is stored with (never an invented one). */
const UNKNOWN_CURRENCY = 'XXX'

export function formatAmount(amount: number, currency: string): string {
  return `${AMOUNT.format(amount)} ${currency === UNKNOWN_CURRENCY ? '(currency unknown)' : currency}`
}

export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 16)
}

export function formatDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

export function formatAgo(ms: number, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - ms) / 1000))
  if (seconds < 60) return 'just now'
  if (seconds < 3_600) return `${Math.round(seconds / 60)} min ago`
  if (seconds < 86_400) return `${Math.round(seconds / 3_600)} h ago`
  return formatTime(ms)
}

export const STATUS_LABEL = {
  OPEN: 'Open',
  NEEDS_REVIEW: 'Needs review',
  CONFIRMED_FRAUD: 'Fraud',
  FALSE_POSITIVE: 'False positive',
} as const

/** A decision's label in a sentence ("Priya decided Confirmed fraud"). */
export const DECISION_LABEL = {
  CONFIRMED_FRAUD: 'Confirmed fraud',
  FALSE_POSITIVE: 'False positive',
  NEEDS_REVIEW: 'Needs review',
} as const

/** When a decision was made, in a sentence: the time alone today (UTC), the date and time before. */
export function formatWhen(ms: number, now = Date.now()): string {
  const full = formatTime(ms)
  return full.slice(0, 10) === formatTime(now).slice(0, 10) ? `${full.slice(11)} UTC` : `${full} UTC`
}
