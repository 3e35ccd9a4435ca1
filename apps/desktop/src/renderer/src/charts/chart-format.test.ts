import { describe, expect, it } from 'vitest'
import { currencyLabel, dayRange, formatAmountTick, formatCompact, formatDayTick, timeTickFormatter } from './chart-format.ts'

describe('chart text', () => {
  it('writes days as "Dec 4" in UTC, like the queue date filter', () => {
    expect(formatDayTick(Date.UTC(2026, 11, 4))).toBe('Dec 4')
    expect(formatDayTick(Date.UTC(2026, 11, 4, 23, 59))).toBe('Dec 4')
  })

  it('writes compact numbers', () => {
    expect(formatCompact(950)).toBe('950')
    expect(formatCompact(1_234)).toBe('1.2k')
    expect(formatCompact(3_400_000)).toBe('3.4M')
  })

  it('names the currency, and "unknown" for a file without one', () => {
    expect(formatAmountTick(1_500, 'USD')).toBe('1.5k USD')
    expect(currencyLabel('XXX')).toBe('unknown')
    expect(formatAmountTick(20, 'XXX')).toBe('20 unknown')
  })

  it('turns a day bar into the queue filter for that UTC day', () => {
    const noon = Date.UTC(2026, 11, 4, 12)
    expect(dayRange(noon)).toEqual({ from: Date.UTC(2026, 11, 4), to: Date.UTC(2026, 11, 5) })
  })

  it('ticks days for long spans and times for short ones', () => {
    const start = Date.UTC(2026, 11, 4, 9, 5)
    expect(timeTickFormatter(start, start + 5 * 86_400_000)(start)).toBe('Dec 4')
    expect(timeTickFormatter(start, start + 3_600_000)(start)).toBe('Dec 4, 09:05')
  })
})
