import { describe, expect, it } from 'vitest'
import { ZTransactionInput } from '../transactions/transaction-input.ts'
import { generateTransactions } from './generate-transactions.ts'

describe('generateTransactions', () => {
  const options = { seed: 7, customers: 200, terminals: 400, days: 20 }

  it('gives the same data for the same seed', () => {
    const first = [...generateTransactions(options)]
    const second = [...generateTransactions(options)]
    expect(first.length).toBeGreaterThan(1_000)
    expect(second).toEqual(first)
  })

  it('yields valid transactions in time order with unique ids', () => {
    const items = [...generateTransactions(options)]
    const ids = new Set(items.map((i) => i.transaction.txId))
    expect(ids.size).toBe(items.length)
    for (let i = 1; i < items.length; i += 1) {
      expect(items[i]!.transaction.timestamp).toBeGreaterThanOrEqual(items[i - 1]!.transaction.timestamp)
    }
    for (const item of items.slice(0, 200)) {
      expect(ZTransactionInput.safeParse(item.transaction).success).toBe(true)
    }
  })

  it('plants each fraud pattern at a realistic rate', () => {
    const items = [...generateTransactions({ ...options, days: 40 })]
    const fraudRate = items.filter((i) => i.isFraud).length / items.length
    expect(fraudRate).toBeGreaterThan(0.002)
    expect(fraudRate).toBeLessThan(0.05)
    const scenarios = new Set(items.map((i) => i.scenario))
    expect(scenarios).toEqual(new Set(['NONE', 'LARGE_AMOUNT', 'COMPROMISED_TERMINAL', 'COMPROMISED_CARD']))
  })

  it('makes noisy merchants sell large amounts without fraud', () => {
    const items = [...generateTransactions({ ...options, noisyMerchants: 40 })]
    const noisyIds = new Set(Array.from({ length: 40 }, (_, i) => `T${String(i).padStart(5, '0')}`))
    const noisy = items.filter((i) => noisyIds.has(i.transaction.merchantId) && i.scenario === 'NONE')
    expect(noisy.length).toBeGreaterThan(50)
    const large = noisy.filter((i) => i.transaction.amount > 150)
    expect(large.length).toBeGreaterThan(0)
  })
})
