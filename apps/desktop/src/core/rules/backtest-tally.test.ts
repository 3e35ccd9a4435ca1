import { describe, expect, it } from 'vitest'
import type { RuleDefinition, RuleOutcome } from '@anomalyze/shared'
import { ALL_RULES, LocalBacktestTally, MAX_CHART_DAYS, SAMPLE_COUNT, type TalliedRow } from './backtest-tally.ts'

const DAY = 86_400_000
const T0 = Date.UTC(2026, 2, 1, 10)

const rule = (name: string, mode: RuleDefinition['mode'] = 'ACTIVE'): RuleDefinition => ({
  name,
  expression: 'amount > 1',
  description: '',
  mode,
  severityFloor: null,
  scoreBoost: null,
})
const outcome = (fired: string[] = [], shadow: string[] = []): RuleOutcome => ({ fired, shadow, severityFloor: null, scoreBoost: 0 })
const row = (i: number, over: Partial<TalliedRow> = {}): TalliedRow => ({
  id: `r${i}`,
  txId: `tx${i}`,
  timestamp: T0 + i * 1_000,
  amount: i,
  accountId: 'A',
  merchantId: 'M',
  decision: null,
  alert: false,
  ...over,
})
const extra = { alertBudgetPerDay: 2, rulesHash: 'h', now: 0 }

describe('LocalBacktestTally', () => {
  it('counts hits, decisions, precision, recall and overlaps per rule and for the set', () => {
    const tally = new LocalBacktestTally([rule('A'), rule('S', 'SHADOW')])
    tally.add(row(1, { decision: 'CONFIRMED_FRAUD', alert: true }), outcome(['A']), outcome(['OLD']))
    tally.add(row(2, { decision: 'FALSE_POSITIVE', alert: true }), outcome(['A'], ['S']), outcome())
    tally.add(row(3, { decision: 'CONFIRMED_FRAUD', alert: true }), outcome([], ['S']), outcome(['OLD']))
    tally.add(row(4), outcome(), outcome())
    const r = tally.result(extra)
    expect(r.transactions).toBe(4)
    expect(r.labelled).toEqual({ fraud: 2, falsePositive: 1 })
    const [a, s, all] = r.rules
    expect(a).toMatchObject({
      name: 'A',
      mode: 'ACTIVE',
      hits: 2,
      confirmedFraud: 1,
      falsePositive: 1,
      precision: 0.5,
      recall: 0.5,
      overlapCurrentRules: 1,
      overlapAlerts: 2,
    })
    expect(s).toMatchObject({ name: 'S', mode: 'SHADOW', hits: 2, confirmedFraud: 1, falsePositive: 1, overlapCurrentRules: 1 })
    // The set counts ACTIVE hits only: row 3 fired the SHADOW rule alone.
    expect(all).toMatchObject({ name: ALL_RULES, hits: 2 })
    expect(r.rules).toHaveLength(3)
  })

  it('has no precision without decided hits and no recall without decided fraud', () => {
    const tally = new LocalBacktestTally([rule('A')])
    tally.add(row(1), outcome(['A']), outcome())
    expect(tally.result(extra).rules[0]).toMatchObject({ precision: null, recall: null, hitsPerDay: 1 })
  })

  it('charts every UTC day of the span (rows in any order) with the draft against the rules in force, and the peak against the budget', () => {
    const tally = new LocalBacktestTally([rule('A')])
    // Day 2 first: the cache's alerts and the files do not arrive in time order.
    for (let i = 0; i < 3; i += 1) tally.add(row(i, { timestamp: T0 + 2 * DAY + i }), outcome(['A']), outcome(['OLD']))
    tally.add(row(9, { timestamp: T0 }), outcome(), outcome(['OLD']))
    const r = tally.result(extra)
    expect(r.from).toBe(T0)
    expect(r.to).toBe(T0 + 2 * DAY + 2)
    expect(r.days).toBe(3)
    expect(r.perDay).toEqual([
      { day: '2026-03-01', draftHits: 0, currentHits: 1 },
      { day: '2026-03-02', draftHits: 0, currentHits: 0 },
      { day: '2026-03-03', draftHits: 3, currentHits: 3 },
    ])
    expect(r.rules[0]?.hitsPerDay).toBe(1)
    expect(r.peakHitsPerDay).toBe(3)
    expect(r.overBudget).toBe(true)
  })

  it('lists only days with transactions when the span is longer than the chart can show', () => {
    const tally = new LocalBacktestTally([rule('A')])
    tally.add(row(1, { timestamp: T0 }), outcome(['A']), outcome())
    tally.add(row(2, { timestamp: T0 + (MAX_CHART_DAYS + 10) * DAY }), outcome(['A']), outcome())
    const r = tally.result(extra)
    expect(r.days).toBe(MAX_CHART_DAYS + 11)
    expect(r.perDay.map((d) => d.draftHits)).toEqual([1, 1])
  })

  it('keeps the newest SAMPLE_COUNT hits, newest first, whatever order they came in', () => {
    const tally = new LocalBacktestTally([rule('A')])
    const order = Array.from({ length: 120 }, (_, i) => (i * 37) % 120)
    for (const i of order) tally.add(row(i), outcome(['A']), outcome())
    const samples = tally.result(extra).samples
    expect(samples).toHaveLength(SAMPLE_COUNT)
    expect(samples.map((s) => s.transactionId)).toEqual(Array.from({ length: SAMPLE_COUNT }, (_, i) => `r${119 - i}`))
    expect(samples[0]).toMatchObject({ txId: 'tx119', rules: ['A'], decision: null })
  })

  it('answers an empty source with zero figures over the day of `now`', () => {
    const r = new LocalBacktestTally([rule('A')]).result({ ...extra, now: T0 })
    expect(r).toMatchObject({ from: T0, to: T0, days: 1, transactions: 0, peakHitsPerDay: 0, overBudget: false, samples: [] })
    expect(r.perDay).toEqual([{ day: '2026-03-01', draftHits: 0, currentHits: 0 }])
  })
})
