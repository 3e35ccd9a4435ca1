import { describe, expect, it } from 'vitest'
import { resolveColumnMapping } from './column-mapping.ts'
import { ZTransactionInput } from '../transactions/transaction-input.ts'
import { createRowConverter, parseTimestamp, UNKNOWN_CURRENCY } from './row-conversion.ts'

const HEADERS = ['TRANSACTION_ID', 'TX_DATETIME', 'CUSTOMER_ID', 'TERMINAL_ID', 'TX_AMOUNT', 'TX_FRAUD']
const convert = createRowConverter(resolveColumnMapping(HEADERS).mapping, HEADERS.length)

describe('createRowConverter', () => {
  it('converts a handbook row, reading the naive timestamp as UTC, with no currency invented', () => {
    const result = convert(['7', '2018-04-01 00:02:10', '4961', '3412', '81.51', '1'], 2)
    expect(result).toEqual({
      ok: true,
      label: true,
      transaction: { txId: '7', timestamp: Date.UTC(2018, 3, 1, 0, 2, 10), amount: 81.51, currency: UNKNOWN_CURRENCY, accountId: '4961', merchantId: '3412' },
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
        txId: 'line-12',
        timestamp: Date.UTC(2020, 0, 1, 17),
        amount: 38398.68,
        currency: 'XXX',
        accountId: 'C1',
        merchantId: 'M2',
        category: 'PAYMENT',
        channel: 'PAYMENT',
      },
      extras: { transactionType: 'PAYMENT' },
    })
  })
})

describe('createRowConverter on hostile text and dates', () => {
  const hostile = createRowConverter({ txId: 0, timestamp: 1, accountId: 2, merchantId: 3, amount: 4, category: 5, channel: 6 }, 7)
  const row = (over: Partial<Record<'id' | 'when' | 'card' | 'terminal' | 'category' | 'channel', string>>) => [
    over.id ?? 't1',
    over.when ?? '2024-01-02 03:04:05',
    over.card ?? 'c1',
    over.terminal ?? 'm1',
    '10',
    over.category ?? 'food',
    over.channel ?? 'pos',
  ]

  it('cuts category and channel without splitting an emoji, so the result passes ZTransactionInput', () => {
    const category = `${'x'.repeat(63)}😀 and more`
    const channel = `${'y'.repeat(31)}😀`
    const result = hostile(row({ category, channel }), 2)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.transaction.category).toBe('x'.repeat(63))
    expect(result.transaction.channel).toBe('y'.repeat(31))
    expect(ZTransactionInput.safeParse(result.transaction).success).toBe(true)
  })

  it("refuses NUL and lone surrogates in ids and text as that field's error, quoting nothing unsafe", () => {
    const result = hostile(row({ card: 'c\u0000', category: 'a\uD83D', channel: '\uDE00' }), 5)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.errors.map((e) => e.field)).toEqual(['accountId', 'category', 'channel'])
    const quoted = hostile(row({ when: 'x\u0000\uD83D' }), 6)
    expect(quoted.ok).toBe(false)
    if (quoted.ok) return
    expect(quoted.errors[0]?.reason.isWellFormed()).toBe(true)
    expect(quoted.errors[0]?.reason.includes('\u0000')).toBe(false)
  })

  it('refuses dates outside 1970..9999 as the timestamp field error', () => {
    for (const when of ['99999999999999999', '8640000000000001', '253402300800000', '1969-12-31T23:59:59Z']) {
      const result = hostile(row({ when }), 7)
      expect(result.ok, when).toBe(false)
      if (result.ok) continue
      expect(result.errors).toEqual([{ line: 7, field: 'timestamp', reason: expect.stringMatching(/1970-01-01 and 9999-12-31/) }])
    }
    expect(hostile(row({ when: '99999-01-01T00:00:00Z' }), 8)).toEqual({ ok: false, errors: [{ line: 8, field: 'timestamp', reason: expect.any(String) }] })
    expect(hostile(row({ when: '253402300799999' }), 9).ok).toBe(true)
  })

  it('refuses PaySim hours that leave the date range', () => {
    const paysimHeaders = ['step', 'type', 'amount', 'nameOrig', 'nameDest', 'isFraud']
    const paysim = createRowConverter(resolveColumnMapping(paysimHeaders).mapping, paysimHeaders.length)
    const result = paysim(['1e300', 'PAYMENT', '1', 'C1', 'M2', '0'], 3)
    expect(result).toEqual({ ok: false, errors: [{ line: 3, field: 'timestampHours', reason: expect.stringMatching(/9999-12-31/) }] })
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

describe('createRowConverter on balances and transaction types', () => {
  const headers = ['step', 'type', 'amount', 'nameOrig', 'oldbalanceOrg', 'newbalanceOrig', 'nameDest', 'oldbalanceDest', 'newbalanceDest', 'isFraud']
  const paysim = createRowConverter(resolveColumnMapping(headers).mapping, headers.length, { headers })

  it('carries the four balances and the upper-cased type beside the transaction, not in it', () => {
    const result = paysim(['1', 'transfer', '181.0', 'C1', '181.0', '0.0', 'C2', '0', '-5.5', '1'], 3)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.extras).toEqual({
      transactionType: 'TRANSFER',
      balanceBefore: 181,
      balanceAfter: 0,
      counterpartyBalanceBefore: 0,
      counterpartyBalanceAfter: -5.5,
    })
    expect(ZTransactionInput.safeParse(result.transaction).success).toBe(true)
    expect(Object.keys(result.transaction)).not.toContain('balanceBefore')
  })

  it('leaves an empty balance out and names the column and line of a bad one', () => {
    const empty = paysim(['1', 'PAYMENT', '5', 'C1', '', '0', 'M2', '0', '0', '0'], 4)
    expect(empty.ok && empty.extras).toEqual({ transactionType: 'PAYMENT', balanceAfter: 0, counterpartyBalanceBefore: 0, counterpartyBalanceAfter: 0 })
    const bad = paysim(['1', 'PAYMENT', '5', 'C1', 'lots', '0', 'M2', '0', '1e400', '0'], 7)
    expect(bad).toEqual({
      ok: false,
      errors: [
        { line: 7, field: 'balanceBefore', reason: 'not a balance in column "oldbalanceOrg": "lots"' },
        { line: 7, field: 'counterpartyBalanceAfter', reason: 'not a balance in column "newbalanceDest": "1e400"' },
      ],
    })
  })

  it('gives no extras when no extra field is mapped, and keeps a given currency', () => {
    const plain = createRowConverter({ txId: 0, timestamp: 1, accountId: 2, merchantId: 3, amount: 4, currency: 5 }, 6)
    const result = plain(['1', '2018-04-01 00:00:00', 'a', 'm', '5', 'eur'], 2)
    expect(result.ok && 'extras' in result).toBe(false)
    expect(result.ok && result.transaction.currency).toBe('EUR')
  })
})
