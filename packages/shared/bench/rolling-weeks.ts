/**
 * The handbook's protocol (chapters 3.4 and 4) on one or many weeks: train on 7 days,
 * a 7-day delay whose labels are unknown, test on the next 7 days, with the cards
 * already known to be compromised removed from each test day.
 */
import { DAY_MS, pickRows, type HandbookData } from './handbook-data.ts'

export const TRAIN_DAYS = 7
export const DELAY_DAYS = 7
export const TEST_DAYS = 7
/** From the first training day to the last test day. */
export const PROTOCOL_DAYS = TRAIN_DAYS + DELAY_DAYS + TEST_DAYS
/**
 * Days of history before the first training day: the 7-day windows plus the 7-day
 * label delay are full by then (the 30-day windows are still filling in the first
 * weeks, as they are for a new account in the product).
 */
export const DEFAULT_WARMUP_DAYS = 14

export interface WeekSplit {
  /** UTC day number of the first training day. */
  trainStart: number
  trainIdx: Uint32Array
  testIdx: Uint32Array
  trainRows: Float32Array
  trainLabels: Uint8Array
  testRows: Float32Array
  testLabels: Uint8Array
  /** Day of each test row counted from the first test day (0..6). */
  testDays: Int32Array
}

/**
 * Training start days of every rolling week the data supports: 7 days apart, the
 * last one's test week ending on the data's last day, the first one leaving
 * `warmupDays` of history before it.
 */
export function rollingTrainStarts(firstDay: number, lastDay: number, warmupDays = DEFAULT_WARMUP_DAYS): number[] {
  const starts: number[] = []
  for (let start = lastDay - PROTOCOL_DAYS + 1; start >= firstDay + warmupDays; start -= TEST_DAYS) starts.unshift(start)
  return starts
}

export function weekSplit(data: HandbookData, trainStart: number): WeekSplit {
  const { order, days, labels, cards } = data
  const trainIdx: number[] = []
  const byDay: number[][] = Array.from({ length: PROTOCOL_DAYS }, () => [])
  for (const i of order) {
    const d = (days[i] as number) - trainStart
    if (d < 0 || d >= PROTOCOL_DAYS) continue
    ;(byDay[d] as number[]).push(i)
    if (d < TRAIN_DAYS) trainIdx.push(i)
  }
  const known = new Set<string>()
  for (const i of trainIdx) if (labels[i]) known.add(cards[i] as string)
  const testIdx: number[] = []
  const testDays: number[] = []
  for (let d = 0; d < TEST_DAYS; d += 1) {
    // The frauds of the day before each delay cut-off become known (handbook's get_train_test_set).
    for (const i of byDay[TRAIN_DAYS + d - 1] as number[]) if (labels[i]) known.add(cards[i] as string)
    for (const i of byDay[TRAIN_DAYS + DELAY_DAYS + d] as number[]) {
      if (known.has(cards[i] as string)) continue
      testIdx.push(i)
      testDays.push(d)
    }
  }
  return {
    trainStart,
    trainIdx: Uint32Array.from(trainIdx),
    testIdx: Uint32Array.from(testIdx),
    trainRows: pickRows(data, trainIdx),
    trainLabels: Uint8Array.from(trainIdx, (i) => labels[i] as number),
    testRows: pickRows(data, testIdx),
    testLabels: Uint8Array.from(testIdx, (i) => labels[i] as number),
    testDays: Int32Array.from(testDays),
  }
}

export function dayNumber(isoDate: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(isoDate)) return Number.NaN
  return Math.floor(Date.parse(`${isoDate}T00:00:00Z`) / DAY_MS)
}

export function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10)
}
