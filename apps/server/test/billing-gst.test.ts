import { describe, expect, it } from 'vitest'
import { splitInclusiveGst } from '../src/services/billing/gst.ts'

describe('GST split of a tax-inclusive charge', () => {
  it('splits CGST and SGST within a state, IGST across states, by the GSTIN state codes', () => {
    const within = splitInclusiveGst({
      totalMinor: 11_800,
      ratePercent: 18,
      defaultMode: 'igst',
      sellerGstin: '29AAACA1234A1Z5',
      buyerGstin: '29ABCDE1234F1Z5',
    })
    expect(within).toMatchObject({ mode: 'cgst_sgst', taxableMinor: 10_000, taxMinor: 1_800 })
    expect(within.lines).toEqual([
      { name: 'CGST', ratePercent: 9, amountMinor: 900 },
      { name: 'SGST', ratePercent: 9, amountMinor: 900 },
    ])
    const across = splitInclusiveGst({
      totalMinor: 11_800,
      ratePercent: 18,
      defaultMode: 'cgst_sgst',
      sellerGstin: '29AAACA1234A1Z5',
      buyerGstin: '27ABCDE1234F1Z5',
    })
    expect(across.lines).toEqual([{ name: 'IGST', ratePercent: 18, amountMinor: 1_800 }])
  })

  it('uses the configured mode without a buyer GSTIN, and its parts always add up to the total', () => {
    expect(splitInclusiveGst({ totalMinor: 100, ratePercent: 18, defaultMode: 'igst' }).mode).toBe('igst')
    for (const totalMinor of [1, 7, 101, 4_999_00, 24_999_01, 123_457]) {
      const split = splitInclusiveGst({ totalMinor, ratePercent: 18, defaultMode: 'cgst_sgst' })
      expect(split.taxableMinor + split.lines.reduce((sum, line) => sum + line.amountMinor, 0)).toBe(totalMinor)
      expect(Math.abs(split.lines[0]!.amountMinor - split.lines[1]!.amountMinor)).toBeLessThanOrEqual(1)
    }
  })
})
