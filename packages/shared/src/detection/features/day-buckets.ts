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

/** Output slots of scanWindows. */
export const SCAN = {
  count: 0, // +0, +1, +2: 1, 7 and 30 days up to `day`
  amount: 3, // same windows
  delayedCount: 6, // 1, 7 and 30 days up to `cutoff`
  delayedFraud: 9,
} as const

/**
 * Every window sum the features need, in one backward pass over the buckets (the hot
 * loop of scoring: one pass instead of one per window). Columns are the feature
 * state's [count, amount, fraud].
 */
export function scanWindows(b: DayBuckets, day: number, cutoff: number, out: Float64Array): void {
  out.fill(0)
  const count = b.columns[0] as number[]
  const amount = b.columns[1] as number[]
  const fraud = b.columns[2] as number[]
  for (let i = b.days.length - 1; i >= 0; i -= 1) {
    const d = b.days[i] as number
    const age = day - d
    if (age >= 30 && cutoff - d >= 30) break
    const c = count[i] as number
    if (age >= 0 && age < 30) {
      const a = amount[i] as number
      out[2] = (out[2] as number) + c
      out[5] = (out[5] as number) + a
      if (age < 7) {
        out[1] = (out[1] as number) + c
        out[4] = (out[4] as number) + a
        if (age < 1) {
          out[0] = (out[0] as number) + c
          out[3] = (out[3] as number) + a
        }
      }
    }
    const delayedAge = cutoff - d
    if (delayedAge >= 0 && delayedAge < 30) {
      const f = fraud[i] as number
      out[8] = (out[8] as number) + c
      out[11] = (out[11] as number) + f
      if (delayedAge < 7) {
        out[7] = (out[7] as number) + c
        out[10] = (out[10] as number) + f
        if (delayedAge < 1) {
          out[6] = (out[6] as number) + c
          out[9] = (out[9] as number) + f
        }
      }
    }
  }
}
