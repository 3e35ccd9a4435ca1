import { describe, expect, it } from 'vitest'
import { cardPrecisionAtK, type CardScoredRow } from './card-precision.ts'

const DAY = 86_400_000
const row = (day: number, card: string, score: number, fraud = false): CardScoredRow => ({ timestamp: day * DAY + 3_600_000, card, score, fraud })

describe('card precision@k', () => {
  it('ranks cards by their highest score of the day and counts a card with any fraud that day', () => {
    const rows = [
      // Day 0: A peaks at 0.9 (its fraud is a low-scored transaction), B 0.8 legit, C 0.7 fraud, D 0.1 fraud.
      row(0, 'A', 0.2, true),
      row(0, 'A', 0.9),
      row(0, 'B', 0.8),
      row(0, 'C', 0.7, true),
      row(0, 'D', 0.1, true),
    ]
    // Top 2 cards: A (fraud), B (not): 1/2. Top 3: A, B, C: 2/3.
    expect(cardPrecisionAtK(rows, 2)).toBeCloseTo(1 / 2, 12)
    expect(cardPrecisionAtK(rows, 3)).toBeCloseTo(2 / 3, 12)
  })

  it('leaves cards caught on an earlier day out of later days and averages over days', () => {
    const rows = [
      row(0, 'A', 0.9, true),
      row(0, 'B', 0.1),
      // Day 1: A again at the top with a fraud, but already caught on day 0: the top 1 is B (legit).
      row(1, 'A', 0.95, true),
      row(1, 'B', 0.5),
      // Day 2: C is the top and fraud.
      row(2, 'C', 0.4, true),
      row(2, 'B', 0.3),
    ]
    // Day 0: 1/1, day 1: 0/1, day 2: 1/1 -> mean 2/3.
    expect(cardPrecisionAtK(rows, 1)).toBeCloseTo(2 / 3, 12)
  })

  it('divides by k even when a day has fewer cards, and is 0 without rows or with k 0', () => {
    expect(cardPrecisionAtK([row(0, 'A', 0.9, true)], 4)).toBeCloseTo(1 / 4, 12)
    expect(cardPrecisionAtK([], 10)).toBe(0)
    expect(cardPrecisionAtK([row(0, 'A', 0.9, true)], 0)).toBe(0)
  })
})
