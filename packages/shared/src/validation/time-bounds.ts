import { z } from 'zod'

/**
 * The one place that says which instants the product accepts. Every time that comes
 * in from outside (a transaction's timestamp, a decision's decidedAt, a list filter's
 * from/to) is checked against these bounds before it reaches Postgres or `new Date`:
 * JavaScript dates end at ±8.64e15 ms and Postgres rejects years past 294276, so an
 * unbounded number either fails a statement (a 500) or is stored and read back as null.
 *
 * Bounds: 1970-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z, the range every
 * ISO 8601 four-digit year can write.
 */
export const MIN_TIME_MS = 0
export const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

const OUT_OF_RANGE = 'must be between 1970-01-01 and 9999-12-31'

/** Whether `ms` is a whole millisecond count inside the accepted range. */
export function isTimeInRange(ms: number): boolean {
  return Number.isInteger(ms) && ms >= MIN_TIME_MS && ms <= MAX_TIME_MS
}

/** Epoch milliseconds within the accepted range. */
export const zTimeMs = () => z.number().int().min(MIN_TIME_MS, OUT_OF_RANGE).max(MAX_TIME_MS, OUT_OF_RANGE)

/** An ISO 8601 date-time with an offset, within the accepted range, as epoch milliseconds. */
export const zIsoTimeMs = () =>
  z.iso
    .datetime({ offset: true })
    .transform((value) => Date.parse(value))
    .refine(isTimeInRange, OUT_OF_RANGE)

/** Epoch milliseconds or an ISO 8601 date-time, within the accepted range, as epoch milliseconds. */
export const zTimeInput = () => z.union([zIsoTimeMs(), zTimeMs()])

/**
 * A client-stamped instant (a decision's decidedAt) as the server records it: never
 * later than the server's `now`. Clocks drift and can be set to anything; a decision
 * dated in the future would otherwise outrank every decision made after it.
 */
export function clampToNow(ms: number, now: number): number {
  return Math.min(ms, now)
}
