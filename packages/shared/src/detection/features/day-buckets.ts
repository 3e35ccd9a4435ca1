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
  const last = b.days.length - 1
  // Fast path: events mostly arrive in order, into the newest day.
  if (last >= 0 && b.days[last] === day) {
    for (let k = 0; k < deltas.length; k += 1) {
      const col = b.columns[k]
      if (col) col[last] = (col[last] as number) + (deltas[k] as number)
    }
    return true
  }
  const newest = last >= 0 ? Math.max(b.days[last] as number, day) : day
  if (day <= newest - retentionDays) return false
  let i = last
  while (i >= 0 && (b.days[i] as number) > day) i -= 1
  if (i < 0 || b.days[i] !== day) {
    i += 1
    if (i === b.days.length) {
      b.days.push(day)
      for (const c of b.columns) c.push(0)
    } else {
      b.days.splice(i, 0, day)
      for (const c of b.columns) c.splice(i, 0, 0)
    }
  }
  for (let k = 0; k < deltas.length; k += 1) {
    const col = b.columns[k]
    if (col) col[i] = (col[i] as number) + (deltas[k] as number)
  }
  prune(b, newest - retentionDays)
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

/**
 * Sums of `column` over the windows (toDay - w, toDay] for each w in ascending
 * `windows`, in one backward pass; written to out[offset..].
 */
export function sumWindows(b: DayBuckets, column: number, toDay: number, windows: readonly number[], out: Float64Array): void {
  const col = b.columns[column]
  out.fill(0)
  if (!col) return
  const widest = windows[windows.length - 1] ?? 0
  for (let i = b.days.length - 1; i >= 0; i -= 1) {
    const age = toDay - (b.days[i] as number)
    if (age >= widest) break
    if (age < 0) continue
    const v = col[i] as number
    for (let w = 0; w < windows.length; w += 1) if (age < (windows[w] as number)) out[w] = (out[w] as number) + v
  }
}
