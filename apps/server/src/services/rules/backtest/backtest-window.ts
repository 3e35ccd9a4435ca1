const DAY_MS = 86_400_000

/**
 * Days of history replayed before the window so that the account and merchant windows
 * (up to 30 days) hold what they held in production when the window's first
 * transaction arrived: without it every account would look new on day one.
 */
export const HISTORY_DAYS = 30

export interface BacktestWindow {
  /** First instant counted (epoch ms, inclusive). */
  from: number
  /** Last instant counted (epoch ms, inclusive): the organisation's latest transaction. */
  to: number
  days: number
  /** Where the replay starts: `from` less HISTORY_DAYS, with fresh feature state. */
  replayFrom: number
}

/**
 * The `days` days ending at the organisation's latest transaction, [latest - days·24h,
 * latest], not ending now: demo data and imported files are often in the past, and a
 * window ending today would then hold nothing. An organisation without transactions
 * gets the days ending `now` (an empty window, answered with zero hits).
 */
export function backtestWindow(latestTimestamp: number | null, days: number, now: number): BacktestWindow {
  const to = latestTimestamp ?? now
  const from = to - days * DAY_MS
  return { from, to, days, replayFrom: from - HISTORY_DAYS * DAY_MS }
}

/** The UTC day (YYYY-MM-DD) of an instant: the per-day chart's buckets. */
export function utcDay(timestamp: number): string {
  return new Date(timestamp).toISOString().slice(0, 10)
}

/** Index of an instant's UTC day counted from the window's first UTC day. */
export function dayIndex(window: Pick<BacktestWindow, 'from'>, timestamp: number): number {
  return Math.floor(timestamp / DAY_MS) - Math.floor(window.from / DAY_MS)
}

/** Every UTC day the window touches, in order (days + 1 of them unless `from` falls on midnight). */
export function windowDays(window: Pick<BacktestWindow, 'from' | 'to'>): string[] {
  const first = Math.floor(window.from / DAY_MS)
  const last = Math.floor(window.to / DAY_MS)
  return Array.from({ length: last - first + 1 }, (_, i) => utcDay((first + i) * DAY_MS))
}
