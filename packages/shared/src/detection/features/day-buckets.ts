/**
 * Per-day counters kept as parallel arrays sorted by day. Windows over days stay
 * bounded (old days are pruned) and an event that arrives a little late still lands
 * in its own day. Plain arrays keep the state JSON-serialisable for Postgres.
 */
export interface DayBuckets {
  /** Day numbers (days since the epoch, in the configured time zone), ascending. */
  days: number[]
  /** One array per counter, aligned with `days`. */
  columns: number[][]
}

export function emptyBuckets(columnCount: number): DayBuckets {
  return { days: [], columns: Array.from({ length: columnCount }, () => []) }
}

export function cloneBuckets(b: DayBuckets): DayBuckets {
  return { days: b.days.slice(), columns: b.columns.map((c) => c.slice()) }
}

/**
 * Adds `deltas` to the counters of `day`, creating the day if needed, and drops days
 * older than `retentionDays` before the newest. Returns false when the event is older
 * than what is retained (it then counts in no window, which is the best we can do).
 */
export function addToDay(b: DayBuckets, day: number, deltas: readonly number[], retentionDays: number): boolean {
  const newest = b.days.length > 0 ? (b.days[b.days.length - 1] as number) : day
  if (day <= Math.max(newest, day) - retentionDays) return false
  let i = b.days.length - 1
  while (i >= 0 && (b.days[i] as number) > day) i -= 1
  if (i < 0 || b.days[i] !== day) {
    // Insert after i (usually at the end: events mostly arrive in order).
    i += 1
    b.days.splice(i, 0, day)
    for (const c of b.columns) c.splice(i, 0, 0)
  }
  deltas.forEach((d, k) => {
    const col = b.columns[k]
    if (col) col[i] = (col[i] as number) + d
  })
  prune(b, Math.max(newest, day) - retentionDays)
  return true
}

function prune(b: DayBuckets, oldestExcluded: number): void {
  let drop = 0
  while (drop < b.days.length && (b.days[drop] as number) <= oldestExcluded) drop += 1
  if (drop === 0) return
  b.days.splice(0, drop)
  for (const c of b.columns) c.splice(0, drop)
}

/** Sums `column` over days in (toDay - windowDays, toDay]. */
export function sumWindow(b: DayBuckets, column: number, toDay: number, windowDays: number): number {
  const col = b.columns[column]
  if (!col) return 0
  const from = toDay - windowDays
  let total = 0
  for (let i = b.days.length - 1; i >= 0; i -= 1) {
    const d = b.days[i] as number
    if (d <= from) break
    if (d <= toDay) total += col[i] as number
  }
  return total
}
