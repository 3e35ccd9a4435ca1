import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { severityRank, type TSyncAnomaly } from '@anomalyze/shared'
import { makeAnomaly, seedAnomalies, tempStore } from '../../../test/support/fixtures.ts'
import type { LocalStore } from './local-store.ts'

describe('queue queries on a real SQLite cache', () => {
  let store: LocalStore
  let cleanup: () => void
  const anomalies: TSyncAnomaly[] = Array.from({ length: 60 }, (_, i) => makeAnomaly(i))

  beforeEach(() => {
    ;({ store, cleanup } = tempStore())
    seedAnomalies(store, anomalies)
  })
  afterEach(() => cleanup())

  const idsOf = (keys: number[]): string[] => store.queue.rows(keys).map((r) => r.id)

  it("counts a view's rows, those left to decide and today's decisions, as decisions and undo change them", () => {
    const open = { statuses: ['OPEN' as const, 'NEEDS_REVIEW' as const] }
    const day = Date.UTC(2026, 11, 5)
    expect(store.queue.progress(open, day)).toEqual({ total: 60, left: 60, decidedToday: 0 })
    // Yesterday's decision is not today's; a needs-review stays in the view and left.
    store.outbox.record({ anomalyIds: [anomalies[0]?.id ?? ''], label: 'FALSE_POSITIVE' }, 'a', day - 1)
    store.outbox.record({ anomalyIds: [anomalies[1]?.id ?? '', anomalies[2]?.id ?? ''], label: 'CONFIRMED_FRAUD' }, 'a', day + 10)
    store.outbox.record({ anomalyIds: [anomalies[3]?.id ?? ''], label: 'NEEDS_REVIEW' }, 'a', day + 20)
    expect(store.queue.progress(open, day)).toEqual({ total: 57, left: 57, decidedToday: 3 })
    // Every status: the decided rows stay in the view, and are not left.
    expect(store.queue.progress({}, day)).toEqual({ total: 60, left: 57, decidedToday: 3 })
    expect(store.queue.progress({ statuses: ['CONFIRMED_FRAUD'] }, day)).toEqual({ total: 2, left: 0, decidedToday: 3 })
    store.outbox.undoLast()
    expect(store.queue.progress(open, day)).toEqual({ total: 57, left: 57, decidedToday: 2 })
  })

  it('orders by severity then score, by score, and by time', () => {
    const bySeverity = [...anomalies].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || b.score - a.score)
    const snapshot = store.queue.snapshot({ filters: {}, sort: 'severity' })
    expect(snapshot.total).toBe(60)
    const rows = store.queue.rows(snapshot.keys)
    expect(rows.map((r) => [severityRank(r.severity), r.score])).toEqual(bySeverity.map((a) => [severityRank(a.severity), a.score]))

    const scores = store.queue.rows(store.queue.snapshot({ filters: {}, sort: 'score' }).keys).map((r) => r.score)
    expect(scores).toEqual([...scores].sort((a, b) => b - a))
    const times = store.queue.rows(store.queue.snapshot({ filters: {}, sort: 'time' }).keys).map((r) => r.timestamp)
    expect(times).toEqual([...times].sort((a, b) => b - a))
  })

  it('filters by severity, status, rule, amount, dates, account and text', () => {
    const count = (filters: Parameters<LocalStore['queue']['snapshot']>[0]['filters']): number => store.queue.snapshot({ filters, sort: 'score' }).total
    expect(count({ severities: ['CRITICAL'] })).toBe(anomalies.filter((a) => a.severity === 'CRITICAL').length)
    expect(count({ rule: 'RAPID_REPEAT' })).toBe(30)
    expect(count({ rule: 'RAPID' })).toBe(0)
    expect(count({ amountMin: 20, amountMax: 29.5 })).toBe(10)
    const from = Date.UTC(2026, 0, 3)
    const to = Date.UTC(2026, 0, 4)
    expect(count({ from, to })).toBe(anomalies.filter((a) => a.transaction.timestamp >= from && a.transaction.timestamp < to).length)
    expect(count({ accountId: 'C1' })).toBe(20)
    expect(idsOf(store.queue.snapshot({ filters: { text: 'tx_000042' }, sort: 'score' }).keys)).toEqual(['an_00042'])
    expect(count({ text: 'number 5' })).toBe(1 + 10) // "5" is a word prefix of 5 and 50..59
    expect(count({ text: 'tx_" OR *' })).toBe(0)

    store.outbox.record({ anomalyIds: ['an_00001'], label: 'CONFIRMED_FRAUD' }, 'me', 5)
    expect(count({ statuses: ['OPEN'] })).toBe(59)
    expect(count({ statuses: ['CONFIRMED_FRAUD'] })).toBe(1)
  })

  it('returns rows in the order asked for, flags pending ones, and refuses huge pages', () => {
    const keys = store.queue.snapshot({ filters: {}, sort: 'time' }).keys.slice(0, 5)
    const reversed = [...keys].reverse()
    expect(store.queue.rows(reversed).map((r) => r.key)).toEqual(reversed)
    const first = store.queue.rows([keys[0] ?? -1])[0]
    expect(first?.pending).toBe(false)
    store.outbox.record({ anomalyIds: [first?.id ?? ''], label: 'NEEDS_REVIEW' }, 'me', 5)
    expect(store.queue.rows([keys[0] ?? -1])[0]).toMatchObject({ pending: true, status: 'NEEDS_REVIEW' })
    expect(() => store.queue.rows(Array.from({ length: 1_001 }, (_, i) => i))).toThrow(/at most 1000/)
  })

  it('gets one anomaly with its transaction, and says NOT_FOUND for an unknown id', () => {
    expect(store.queue.get('an_00007')).toMatchObject({ txId: 'tx_000007', accountId: 'C1', category: 'grocery', rules: ['VELOCITY_HIGH', 'RAPID_REPEAT'] })
    expect(() => store.queue.get('nope')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }))
  })

  it("gives an account's recent history oldest first, only that account", () => {
    const history = store.queue.accountHistory('C2', 5)
    expect(history).toHaveLength(5)
    const all = anomalies
      .filter((a) => a.transaction.accountId === 'C2')
      .map((a) => a.transaction.timestamp)
      .sort((a, b) => b - a)
    expect(history.map((h) => h.timestamp)).toEqual(all.slice(0, 5).reverse())
  })

  it('aggregates the dashboard consistently with the rows', () => {
    store.outbox.record({ anomalyIds: ['an_00001', 'an_00002'], label: 'FALSE_POSITIVE' }, 'me', 5)
    const d = store.dashboard(null)
    expect(d.total).toBe(60)
    expect(d.open).toBe(58)
    expect(d.days.reduce((s, x) => s + x.anomalies, 0)).toBe(60)
    expect(d.days.reduce((s, x) => s + x.falsePositives, 0)).toBe(2)
    expect(d.days.reduce((s, x) => s + x.amount, 0)).toBeCloseTo(anomalies.reduce((s, a) => s + a.transaction.amount, 0))
    expect(d.severityMix.reduce((s, x) => s + x.count, 0)).toBe(60)
    expect(d.scoreHistogram.reduce((s, x) => s + x.count, 0)).toBe(60)
    expect(store.queue.facets().rules).toEqual(['AMOUNT_SPIKE', 'RAPID_REPEAT', 'VELOCITY_HIGH'])
  })
})
