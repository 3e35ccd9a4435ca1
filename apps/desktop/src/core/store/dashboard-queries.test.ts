import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { TSyncAnomaly } from '@anomalyze/shared'
import { makeAnomaly, seedAnomalies, tempStore } from '../../../test/support/fixtures.ts'
import { toAnomalyParams } from './anomaly-rows.ts'
import type { LocalStore } from './local-store.ts'

const BATCH = 'local_00000000-0000-4000-8000-000000000001'

describe('the overview of a real SQLite cache', () => {
  let store: LocalStore
  let cleanup: () => void
  const synced: TSyncAnomaly[] = Array.from({ length: 20 }, (_, i) => makeAnomaly(i, {}, { currency: i % 4 === 0 ? 'USD' : 'INR' }))
  const scored: TSyncAnomaly[] = Array.from({ length: 7 }, (_, i) => makeAnomaly(100 + i, { id: `file_${i}` }, { currency: 'XXX' }))

  beforeEach(() => {
    ;({ store, cleanup } = tempStore())
    seedAnomalies(store, synced)
    store.batches.create({ id: BATCH, name: 'branch-12.csv', sourcePath: null, modelVersion: '1.0.0', now: 5 })
    store.batches.addChunk(
      BATCH,
      scored.map((a) => toAnomalyParams(a, BATCH)),
      [],
    )
    store.batches.finish(BATCH, { rows: 40, badRows: 0 })
  })
  afterEach(() => cleanup())

  it('keeps amounts apart per currency, largest total first', () => {
    const d = store.dashboard(null)
    const sum = (currency: string): number => d.days.reduce((s, day) => s + (day.amounts[currency] ?? 0), 0)
    expect(sum('USD')).toBeCloseTo(synced.filter((a) => a.transaction.currency === 'USD').reduce((s, a) => s + a.transaction.amount, 0))
    expect(sum('INR')).toBeCloseTo(synced.filter((a) => a.transaction.currency === 'INR').reduce((s, a) => s + a.transaction.amount, 0))
    expect(d.currencies).toEqual(['INR', 'USD'])
    expect(store.dashboard(BATCH).currencies).toEqual(['XXX'])
  })

  it('counts the rules that fired, most first', () => {
    const d = store.dashboard(null)
    // Even ids fire AMOUNT_SPIKE, odd ones VELOCITY_HIGH and RAPID_REPEAT.
    expect(d.topRules).toEqual([
      { rule: 'AMOUNT_SPIKE', count: 10 },
      { rule: 'RAPID_REPEAT', count: 10 },
      { rule: 'VELOCITY_HIGH', count: 10 },
    ])
  })

  it('lists every source with its totals, whichever source it describes', () => {
    store.outbox.record({ anomalyIds: ['file_0'], label: 'CONFIRMED_FRAUD' }, 'me', 5)
    const expected = [
      { batchId: null, name: 'Synced queue', total: 20, open: 20 },
      { batchId: BATCH, name: 'branch-12.csv', total: 7, open: 6 },
    ]
    expect(store.dashboard(null).sources).toEqual(expected)
    const file = store.dashboard(BATCH)
    expect(file.sources).toEqual(expected)
    expect(file.total).toBe(7)
    expect(file.days.reduce((s, x) => s + x.anomalies, 0)).toBe(7)
  })
})
