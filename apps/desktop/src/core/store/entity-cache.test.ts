import { afterEach, describe, expect, it } from 'vitest'
import type { TEntityProfile, TEntityTransaction } from '@anomalyze/shared'
import { tempStore } from '../../../test/support/fixtures.ts'

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

const account = { type: 'ACCOUNT' as const, id: 'C42' }

function tx(i: number, overrides: Partial<TEntityTransaction> = {}): TEntityTransaction {
  return {
    id: `tr_${String(i).padStart(4, '0')}`,
    txId: `tx_${i}`,
    timestamp: 1_000_000 + i * 1_000,
    amount: 10 * i,
    currency: 'INR',
    accountId: 'C42',
    merchantId: `M${i % 3}`,
    category: null,
    country: i % 2 === 0 ? 'IN' : 'GB',
    channel: null,
    score: i % 5 === 0 ? 0.9 : null,
    severity: i % 5 === 0 ? 'HIGH' : null,
    anomalyId: i % 5 === 0 ? `an_${i}` : null,
    status: i % 5 === 0 ? 'OPEN' : null,
    label: null,
    ...overrides,
  }
}

describe('the entity cache', () => {
  it('reads fetched transactions back newest first in pages, with the filters applied', () => {
    const temp = tempStore()
    cleanups.push(temp.cleanup)
    const { entities } = temp.store
    entities.saveTransactions(
      account,
      Array.from({ length: 30 }, (_, i) => tx(i + 1)),
      5_000,
    )
    // Fetched again later: stored once, newer fetch time.
    entities.saveTransactions(account, [tx(30)], 6_000)
    expect(entities.cachedCount(account)).toEqual({ count: 30, fetchedAt: 6_000 })
    const first = entities.transactions(account, {}, null, 12)
    expect(first.items.map((t) => t.id)).toEqual(Array.from({ length: 12 }, (_, i) => `tr_${String(30 - i).padStart(4, '0')}`))
    expect(first).toMatchObject({ total: 30, fetchedAt: 6_000 })
    const seen = [...first.items]
    let cursor = first.nextCursor
    while (cursor !== null) {
      const page = entities.transactions(account, {}, cursor, 12)
      seen.push(...page.items)
      cursor = page.nextCursor
    }
    expect(new Set(seen.map((t) => t.id)).size).toBe(30)

    const filtered = entities.transactions(account, { country: 'in', amountMin: 100, amountMax: 200, counterpartyId: 'M1' }, null, 50)
    // Even i in 10..20 with i % 3 === 1: 10, 16.
    expect(filtered.items.map((t) => t.id)).toEqual(['tr_0016', 'tr_0010'])
    expect(filtered.total).toBe(2)
    expect(entities.transactions(account, { alertsOnly: true, from: 1_000_000 + 10_000, to: 1_000_000 + 25_000 }, null, 50).items.map((t) => t.id)).toEqual([
      'tr_0025',
      'tr_0020',
      'tr_0015',
      'tr_0010',
    ])
    // Another entity, and a server cursor the cache cannot follow: nothing.
    expect(entities.transactions({ type: 'MERCHANT', id: 'M1' }, {}, null, 10)).toEqual({ items: [], nextCursor: null, total: 0, fetchedAt: null })
    expect(entities.transactions(account, {}, 'c2VydmVyLWN1cnNvcg', 10).items).toEqual([])
  })

  it('keeps the latest profile per entity with when it was fetched', () => {
    const temp = tempStore()
    cleanups.push(temp.cleanup)
    const profile: TEntityProfile = {
      entity: account,
      firstSeen: 1,
      lastSeen: 2,
      transactionCount: 30,
      alertCount: 6,
      openCaseId: 'case_1',
      amount: { mean: 150, median: 150, p95: 290, max: 300 },
      counterparties: [{ id: 'M1', count: 10, share: 0.33 }],
      countries: [{ id: 'IN', count: 15, share: 0.5 }],
      features: [{ name: 'amount_z', value: 1.5 }],
      linked: [{ type: 'ACCOUNT', id: 'C7', alertCount: 2, via: ['M1'] }],
    }
    expect(temp.store.entities.profile(account)).toBeNull()
    temp.store.entities.saveProfile(profile, 10)
    temp.store.entities.saveProfile({ ...profile, alertCount: 7 }, 20)
    expect(temp.store.entities.profile(account)).toEqual({ profile: { ...profile, alertCount: 7 }, fetchedAt: 20 })
  })
})
