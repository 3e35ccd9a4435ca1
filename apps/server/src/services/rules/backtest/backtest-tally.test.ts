import type { RuleDefinition, RuleOutcome } from '@anomalyze/shared'
import { describe, expect, it } from 'vitest'
import { ALL_RULES, BacktestTally, SAMPLE_COUNT, type Known, type WindowTransaction } from './backtest-tally.ts'
import { backtestWindow, windowDays } from './backtest-window.ts'

const DAY = 86_400_000
const LATEST = Date.UTC(2026, 1, 10, 12)
const rule = (name: string, mode: RuleDefinition['mode']): RuleDefinition => ({
  name,
  expression: 'amount > 0',
  description: '',
  mode,
  severityFloor: null,
  scoreBoost: null,
})
const outcome = (fired: string[], shadow: string[] = []): RuleOutcome => ({ fired, shadow, severityFloor: null, scoreBoost: 0 })
const row = (n: number, timestamp: number): WindowTransaction => ({ id: `id-${n}`, txId: `tx-${n}`, timestamp, amount: n, accountId: 'a', merchantId: 'm' })
const known = (decision: Known['decision'] = null, alert = decision !== null): Known => ({ decision, alert })

describe('backtest window', () => {
  it('ends at the latest transaction, not now, and replays 30 days of history before it', () => {
    const window = backtestWindow(LATEST, 3, Date.UTC(2030, 0, 1))
    expect(window).toEqual({ from: LATEST - 3 * DAY, to: LATEST, days: 3, replayFrom: LATEST - 33 * DAY })
    expect(windowDays(window)).toEqual(['2026-02-07', '2026-02-08', '2026-02-09', '2026-02-10'])
  })

  it('ends now for an organisation without transactions', () => {
    expect(backtestWindow(null, 1, LATEST).to).toBe(LATEST)
  })
})

describe('BacktestTally', () => {
  it('counts hits, decisions, overlaps and days per rule and for the ACTIVE set', () => {
    const window = backtestWindow(LATEST, 3, 0)
    const tally = new BacktestTally([rule('BIG', 'ACTIVE'), rule('WATCH', 'SHADOW'), rule('IDLE', 'OFF')], window)
    const day8 = Date.UTC(2026, 1, 8, 9)
    tally.add(row(1, window.from), known(), outcome(['BIG']), outcome([]))
    tally.add(row(2, day8), known('CONFIRMED_FRAUD'), outcome(['BIG'], ['WATCH']), outcome(['CURRENT']))
    tally.add(row(3, day8 + 1), known('FALSE_POSITIVE'), outcome([], ['WATCH']), outcome([]))
    tally.add(row(4, Date.UTC(2026, 1, 9)), known('FALSE_POSITIVE'), outcome(['BIG']), outcome([]))
    tally.add(row(5, Date.UTC(2026, 1, 9, 5)), known('CONFIRMED_FRAUD'), outcome([]), outcome(['CURRENT']))
    tally.add(row(6, LATEST), known(null, true), outcome(['BIG']), outcome(['CURRENT']))
    const result = tally.result({ alertBudgetPerDay: 1, rulesHash: 'h' })

    expect(result.transactions).toBe(6)
    expect(result.labelled).toEqual({ fraud: 2, falsePositive: 2 })
    const big = { hits: 4, hitsPerDay: 1.333333, confirmedFraud: 1, falsePositive: 1, precision: 0.5, recall: 0.5, overlapCurrentRules: 2, overlapAlerts: 3 }
    expect(result.rules).toEqual([
      { name: 'BIG', mode: 'ACTIVE', ...big },
      {
        name: 'WATCH',
        mode: 'SHADOW',
        hits: 2,
        hitsPerDay: 0.666667,
        confirmedFraud: 1,
        falsePositive: 1,
        precision: 0.5,
        recall: 0.5,
        overlapCurrentRules: 1,
        overlapAlerts: 2,
      },
      {
        name: 'IDLE',
        mode: 'OFF',
        hits: 0,
        hitsPerDay: 0,
        confirmedFraud: 0,
        falsePositive: 0,
        precision: null,
        recall: 0,
        overlapCurrentRules: 0,
        overlapAlerts: 0,
      },
      { name: ALL_RULES, mode: 'ACTIVE', ...big },
    ])
    expect(result.perDay).toEqual([
      { day: '2026-02-07', draftHits: 1, currentHits: 0 },
      { day: '2026-02-08', draftHits: 1, currentHits: 1 },
      { day: '2026-02-09', draftHits: 1, currentHits: 1 },
      { day: '2026-02-10', draftHits: 1, currentHits: 1 },
    ])
    expect(result.peakHitsPerDay).toBe(1)
    expect(result.overBudget).toBe(false)
    expect(result.samples.map((s) => [s.txId, s.rules])).toEqual([
      ['tx-6', ['BIG']],
      ['tx-4', ['BIG']],
      ['tx-3', ['WATCH']],
      ['tx-2', ['BIG', 'WATCH']],
      ['tx-1', ['BIG']],
    ])
  })

  it('has no precision or recall without decisions, and is over budget past the budget', () => {
    const window = backtestWindow(LATEST, 1, 0)
    const tally = new BacktestTally([rule('BIG', 'ACTIVE')], window)
    tally.add(row(1, LATEST - 1), known(), outcome(['BIG']), outcome([]))
    tally.add(row(2, LATEST), known(), outcome(['BIG']), outcome([]))
    const result = tally.result({ alertBudgetPerDay: 1, rulesHash: 'h' })
    expect(result.rules[0]).toMatchObject({ hits: 2, precision: null, recall: null })
    expect(result.peakHitsPerDay).toBe(2)
    expect(result.overBudget).toBe(true)
  })

  it('keeps the newest SAMPLE_COUNT hits, newest first', () => {
    const window = backtestWindow(LATEST, 1, 0)
    const tally = new BacktestTally([rule('BIG', 'ACTIVE')], window)
    for (let i = 0; i < SAMPLE_COUNT * 2 + 7; i += 1) tally.add(row(i, window.from + i), known(), outcome(['BIG']), outcome([]))
    const samples = tally.result({ alertBudgetPerDay: 0, rulesHash: 'h' }).samples
    expect(samples).toHaveLength(SAMPLE_COUNT)
    expect(samples[0]?.txId).toBe(`tx-${SAMPLE_COUNT * 2 + 6}`)
    expect(samples.at(-1)?.txId).toBe(`tx-${SAMPLE_COUNT + 7}`)
    expect(samples.map((s) => s.timestamp)).toEqual([...samples.map((s) => s.timestamp)].sort((a, b) => b - a))
  })
})
