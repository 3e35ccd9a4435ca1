import { SEVERITIES, type Severity } from '@anomalyze/shared'
import { describe, expect, it } from 'vitest'
import type { Decision } from './decision.ts'
import { compareAlertQueues, type PreviewRow } from './preview-candidate-compare.ts'

let next = 0
function row(before: [number, Severity], after: [number, Severity], decision: Decision = null, merchantId = 'M1'): PreviewRow {
  next += 1
  return {
    txId: `tx-${next}`,
    merchantId,
    amount: 10 * next,
    currency: 'INR',
    timestamp: Date.UTC(2026, 0, 1) + next * 60_000,
    decision,
    before: { score: before[0], severity: before[1] },
    after: { score: after[0], severity: after[1] },
  }
}

describe('compareAlertQueues', () => {
  it('counts alerts per severity on each side and classifies every move', () => {
    const rows = [
      row([0.9, 'CRITICAL'], [0.2, 'LOW'], 'FALSE_POSITIVE'), // dropped, FP suppressed
      row([0.6, 'MEDIUM'], [0.5, 'MEDIUM'], 'FALSE_POSITIVE'), // FP still alerted
      row([0.1, 'LOW'], [0.05, 'LOW'], 'FALSE_POSITIVE'), // FP never alerted
      row([0.8, 'HIGH'], [0.95, 'CRITICAL'], 'CONFIRMED_FRAUD'), // raised, fraud kept
      row([0.7, 'MEDIUM'], [0.3, 'LOW'], 'CONFIRMED_FRAUD'), // fraud lost
      row([0.2, 'LOW'], [0.6, 'MEDIUM'], 'CONFIRMED_FRAUD'), // fraud newly caught
      row([0.3, 'LOW'], [0.9, 'HIGH']), // new alert
      row([0.85, 'HIGH'], [0.65, 'MEDIUM']), // lowered
      row([0.1, 'LOW'], [0.1, 'LOW']), // nothing
    ]
    const result = compareAlertQueues(rows, 10)

    // Expected figures recomputed straight from the rows, by a second route.
    const tally = (side: 'before' | 'after') =>
      Object.fromEntries(SEVERITIES.filter((s) => s !== 'LOW').map((s) => [s, rows.filter((r) => r[side].severity === s).length]))
    expect(result.before.bySeverity).toEqual(tally('before'))
    expect(result.after.bySeverity).toEqual(tally('after'))
    expect(result.before.alerts).toBe(rows.filter((r) => r.before.severity !== 'LOW').length)
    expect(result.after.alerts).toBe(rows.filter((r) => r.after.severity !== 'LOW').length)

    expect(result.droppedOut).toBe(2)
    expect(result.newAlerts).toBe(2)
    expect(result.severityChanged).toBe(2)
    expect(result.falsePositives).toEqual({ labelled: 3, alertedBefore: 2, droppedBelowThreshold: 1 })
    expect(result.confirmedFrauds).toEqual({ labelled: 3, caughtBefore: 2, stillCaught: 1, newlyCaught: 1, caughtAfter: 2 })
    expect(result.movedTotal).toBe(6)
    expect(result.moved.map((m) => m.change).sort()).toEqual(['dropped', 'dropped', 'lowered', 'new', 'new', 'raised'])
  })

  it('lists the biggest severity jumps first, then the biggest score change, up to the limit', () => {
    const small = row([0.6, 'MEDIUM'], [0.3, 'LOW'])
    const big = row([0.99, 'CRITICAL'], [0.1, 'LOW'])
    const bigger = row([0.97, 'CRITICAL'], [0.01, 'LOW'])
    const medium = row([0.2, 'LOW'], [0.85, 'HIGH'])
    const result = compareAlertQueues([small, big, medium, bigger], 3)
    expect(result.movedTotal).toBe(4)
    expect(result.moved.map((m) => m.txId)).toEqual([bigger.txId, big.txId, medium.txId])
    expect(result.moved[0]).toMatchObject({ change: 'dropped', before: { severity: 'CRITICAL' }, after: { severity: 'LOW' }, merchantId: 'M1' })
    expect(compareAlertQueues([small, big], 0).moved).toEqual([])
  })

  it('reports an empty window as all zeros', () => {
    const result = compareAlertQueues([], 20)
    expect(result.before).toEqual({ alerts: 0, bySeverity: { MEDIUM: 0, HIGH: 0, CRITICAL: 0 } })
    expect(result.movedTotal).toBe(0)
    expect(result.moved).toEqual([])
  })
})
