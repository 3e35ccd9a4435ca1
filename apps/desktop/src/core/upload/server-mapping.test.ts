import { resolveColumnMapping } from '@anomalyze/shared/engine'
import { describe, expect, it } from 'vitest'
import { toServerMapping } from './server-mapping.ts'

const HANDBOOK = ['TRANSACTION_ID', 'TX_DATETIME', 'CUSTOMER_ID', 'TERMINAL_ID', 'TX_AMOUNT', 'CURRENCY']

describe("the console mapping as the batch route's column=field overrides", () => {
  it('sends nothing when the server would detect the same mapping', () => {
    expect(toServerMapping(HANDBOOK, resolveColumnMapping(HANDBOOK).mapping)).toEqual({ map: '', problems: [] })
  })

  it('overrides only the fields the analyst moved, and the server then reads them so', () => {
    const headers = ['id', 'when', 'payer', 'shop', 'gross', 'net']
    // Auto-detection: id, no timestamp ("when" is unknown), no amount ("gross", "net" unknown).
    const wanted = { txId: 0, timestamp: 1, accountId: 2, merchantId: 3, amount: 5 }
    const result = toServerMapping(headers, wanted)
    expect(result.problems).toEqual([])
    expect(result.map.split(',').sort()).toEqual(['net=amount', 'payer=accountId', 'shop=merchantId', 'when=timestamp'])
  })

  it('moves a field off the column auto-detection picked', () => {
    const headers = ['amount', 'amount_eur', 'account', 'merchant', 'date']
    const result = toServerMapping(headers, { amount: 1, accountId: 2, merchantId: 3, timestamp: 4 })
    expect(result).toEqual({ map: 'amount_eur=amount', problems: [] })
  })

  it('keeps one column feeding two fields when auto-detection does that itself (PaySim type)', () => {
    const headers = ['step', 'type', 'amount', 'nameOrig', 'nameDest']
    const auto = resolveColumnMapping(headers).mapping
    expect(auto).toMatchObject({ category: 1, channel: 1 })
    expect(toServerMapping(headers, auto)).toEqual({ map: '', problems: [] })
  })

  it('reports what the server cannot express instead of uploading a file it would read otherwise', () => {
    // The analyst left the label column unmapped: the server would still read it.
    const headers = [...HANDBOOK, 'TX_FRAUD']
    const { label: _dropped, ...noLabel } = resolveColumnMapping(headers).mapping
    expect(toServerMapping(headers, noLabel).problems).toEqual(['label: the server would read column 7 "TX_FRAUD", not no column'])

    // Two fields from one column the server would not guess: one override per column.
    const twice = toServerMapping(['x', 'acct', 'shop', 'amount', 'date'], { amount: 3, accountId: 1, merchantId: 2, timestamp: 4, category: 0, channel: 0 })
    expect(twice.problems).toHaveLength(1)
    expect(twice.problems[0]).toMatch(/^(category|channel): the server would read no column, not column 1 "x"$/)
  })

  it('refuses header names the map parameter cannot carry, and duplicate headers', () => {
    const comma = toServerMapping(['amount', 'acct, primary', 'shop', 'date'], { amount: 0, accountId: 1, merchantId: 2, timestamp: 3 })
    expect(comma.problems.join(' ')).toMatch(/cannot be sent to the server|would not accept/)
    const duplicate = toServerMapping(['amount', 'amount', 'account', 'merchant', 'date'], { amount: 1, accountId: 2, merchantId: 3, timestamp: 4 })
    expect(duplicate.problems).toEqual(['amount: the server would read column 1 "amount", not column 2 "amount"'])
  })
})
