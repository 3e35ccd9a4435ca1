import { describe, expect, it } from 'vitest'
import { resolveColumnMapping } from './column-mapping.ts'
import { createRowConverter, parseTimestamp } from './row-conversion.ts'

const HEADERS = ['TRANSACTION_ID', 'TX_DATETIME', 'CUSTOMER_ID', 'TERMINAL_ID', 'TX_AMOUNT', 'TX_FRAUD']
const convert = createRowConverter(resolveColumnMapping(HEADERS).mapping, HEADERS.length)

describe('createRowConverter', () => {
  it('converts a handbook row, reading the naive timestamp as UTC', () => {
    const result = convert(['7', '2018-04-01 00:02:10', '4961', '3412', '81.51', '1'], 2)
    expect(result).toEqual({
      ok: true,
      label: true,
      transaction: { txId: '7', timestamp: Date.UTC(2018, 3, 1, 0, 2, 10), amount: 81.51, currency: 'INR', accountId: '4961', merchantId: '3412' },
    })
  })

  it('reports every bad field with line and reason', () => {
    const result = convert(['7', '2018-02-30 00:00:00', '', '3412', 'abc', 'maybe'], 9)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.errors.map((e) => [e.line, e.field])).toEqual([
      [9, 'amount'],
      [9, 'timestamp'],
      [9, 'accountId'],
      [9, 'label'],
    ])
    expect(result.errors[0]?.reason).toContain('abc')
  })

  it('rejects rows with the wrong column count and negative amounts', () => {
    expect(convert(['1', '2'], 3)).toEqual({ ok: false, errors: [{ line: 3, field: 'row', reason: 'expected 6 columns, got 2' }] })
    const negative = convert(['7', '2018-04-01 00:02:10', 'a', 'm', '-5', '0'], 4)
    expect(negative.ok).toBe(false)
  })

  it('turns PaySim steps into hours from the base date and derives ids from lines', () => {
    const headers = ['step', 'type', 'amount', 'nameOrig', 'nameDest', 'isFraud']
    const paysim = createRowConverter(resolveColumnMapping(headers).mapping, headers.length, { baseDate: '2020-01-01' })
    const result = paysim(['17', 'PAYMENT', '38398.68', 'C1', 'M2', '0.0'], 12)
    expect(result).toEqual({
      ok: true,
      label: false,
      transaction: {
        txId: 'line-12', timestamp: Date.UTC(2020, 0, 1, 17), amount: 38398.68, currency: 'INR',
        accountId: 'C1', merchantId: 'M2', category: 'PAYMENT', channel: 'PAYMENT',
      },
    })
  })
})

describe('parseTimestamp', () => {
  it('accepts ISO with offsets, epoch seconds and milliseconds', () => {
    expect(parseTimestamp('2024-05-06T07:08:09+05:30')).toBe(Date.UTC(2024, 4, 6, 1, 38, 9))
    expect(parseTimestamp('2024-05-06T07:08:09.250Z')).toBe(Date.UTC(2024, 4, 6, 7, 8, 9, 250))
    expect(parseTimestamp('1700000000')).toBe(1_700_000_000_000)
    expect(parseTimestamp('1700000000000')).toBe(1_700_000_000_000)
    expect(parseTimestamp('yesterday')).toBeUndefined()
  })
})
