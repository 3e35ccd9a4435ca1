import { describe, expect, it } from 'vitest'
import { parseMappingOverrides, resolveColumnMapping } from './column-mapping.ts'

const HANDBOOK = [
  'TRANSACTION_ID',
  'TX_DATETIME',
  'CUSTOMER_ID',
  'TERMINAL_ID',
  'TX_AMOUNT',
  'TX_TIME_SECONDS',
  'TX_TIME_DAYS',
  'TX_FRAUD',
  'TX_FRAUD_SCENARIO',
]
const PAYSIM = [
  'step',
  'type',
  'amount',
  'nameOrig',
  'oldbalanceOrg',
  'newbalanceOrig',
  'nameDest',
  'oldbalanceDest',
  'newbalanceDest',
  'isFraud',
  'isFlaggedFraud',
]

describe('resolveColumnMapping', () => {
  it('detects the fraud handbook columns', () => {
    const { mapping, errors } = resolveColumnMapping(HANDBOOK)
    expect(errors).toEqual([])
    expect(mapping).toEqual({ txId: 0, timestamp: 1, accountId: 2, merchantId: 3, amount: 4, label: 7 })
  })

  it('detects PaySim columns: step as hours, type as category, channel and transaction type, and the four balances', () => {
    const { mapping, errors } = resolveColumnMapping(PAYSIM)
    expect(errors).toEqual([])
    expect(mapping).toEqual({
      timestampHours: 0,
      category: 1,
      channel: 1,
      transactionType: 1,
      amount: 2,
      accountId: 3,
      balanceBefore: 4,
      balanceAfter: 5,
      merchantId: 6,
      counterpartyBalanceBefore: 7,
      counterpartyBalanceAfter: 8,
      label: 9,
    })
  })

  it('maps balance columns by explicit override, taking the column off its detected field', () => {
    const headers = ['when', 'who', 'to', 'amt', 'opening', 'oldbalanceOrg']
    const { mapping, errors } = resolveColumnMapping(
      headers,
      parseMappingOverrides(['when=timestamp', 'opening=balanceBefore', 'oldbalanceOrg=balanceAfter', 'who=accountId', 'to=merchantId']),
    )
    expect(errors).toEqual([])
    expect(mapping).toMatchObject({ balanceBefore: 4, balanceAfter: 5, amount: 3 })
  })

  it('lets explicit overrides win and drops the column from its detected role', () => {
    const overrides = parseMappingOverrides(['oldbalanceOrg=amount', 'isFlaggedFraud=label'])
    const { mapping, errors } = resolveColumnMapping(PAYSIM, overrides)
    expect(errors).toEqual([])
    expect(mapping.amount).toBe(4)
    expect(mapping.label).toBe(10)
  })

  it('reports missing required columns and unknown override columns', () => {
    const { errors } = resolveColumnMapping(['foo', 'amount'], parseMappingOverrides(['nope=txId']))
    expect(errors).toContain('missing required column for accountId')
    expect(errors).toContain('missing required column for merchantId')
    expect(errors).toContain('missing required column for timestamp')
    expect(errors.some((e) => e.includes('"nope"'))).toBe(true)
  })

  it('rejects malformed or unknown override fields', () => {
    expect(() => parseMappingOverrides(['a=notAField'])).toThrow(/unknown field/)
    expect(() => parseMappingOverrides(['amount'])).toThrow(/column=field/)
  })
})
