import { afterEach, describe, expect, it } from 'vitest'
import { ASHA, makeCase, makeCaseEvent, ME, seedCases } from '../../../test/support/case-fixtures.ts'
import { makeAnomaly, seedAnomalies, tempStore } from '../../../test/support/fixtures.ts'

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

const NOW = Date.UTC(2026, 5, 1)
const HOUR = 3_600_000

function setup() {
  const temp = tempStore()
  cleanups.push(temp.cleanup)
  return temp
}

/** A team's cases: each queue holds a known few. */
function seedTeam(store: ReturnType<typeof setup>['store']) {
  seedCases(store, [
    // Mine: a HIGH due in 2 h (SLA 24 h: due soon is the last 4 h), and a LOW due in 3 days.
    makeCase(1, { assignee: ME, priority: 'HIGH', dueAt: NOW + 2 * HOUR, slaMinutes: 24 * 60 }),
    makeCase(2, { assignee: ME, priority: 'LOW', dueAt: NOW + 72 * HOUR, slaMinutes: 7 * 24 * 60 }),
    // Unassigned: CRITICAL overdue, MEDIUM not due soon, LOW with no due time.
    makeCase(3, { priority: 'CRITICAL', dueAt: NOW - HOUR, slaMinutes: 240 }),
    makeCase(4, { priority: 'MEDIUM', dueAt: NOW + 48 * HOUR, slaMinutes: 3 * 24 * 60, entityId: 'M_shop%1', entityType: 'MERCHANT' }),
    makeCase(5, { priority: 'LOW', dueAt: null }),
    // Escalated, held by Asha.
    makeCase(6, { status: 'ESCALATED', assignee: ASHA, priority: 'HIGH', dueAt: NOW + 30 * 60_000, slaMinutes: 24 * 60 }),
    // Closed, and merged: in no queue (closed shows in All with includeClosed).
    makeCase(7, { status: 'CLOSED_FRAUD', assignee: ME, closedAt: NOW - HOUR, closedBy: ME, openAlertCount: 0 }),
    makeCase(8, { assignee: ME, mergedIntoId: 'case_00001' }),
  ])
}

const ids = (rows: Array<{ id: string }>) => rows.map((r) => r.id)

describe('case queues from the cache', () => {
  it('puts each case in its queues, worst first then soonest due, with every queue counted', () => {
    const { store } = setup()
    seedTeam(store)
    const mine = store.cases.list({ queue: 'mine' }, ME.id, NOW)
    expect(ids(mine.rows)).toEqual(['case_00001', 'case_00002'])
    expect(mine.total).toBe(2)
    expect(mine.rows[0]).toMatchObject({ assignee: ME, sla: 'due_soon', pending: false, priority: 'HIGH' })
    expect(mine.rows[1]?.sla).toBe('ok')
    expect(ids(store.cases.list({ queue: 'unassigned' }, ME.id, NOW).rows)).toEqual(['case_00003', 'case_00004', 'case_00005'])
    expect(ids(store.cases.list({ queue: 'escalated' }, ME.id, NOW).rows)).toEqual(['case_00006'])
    // Due soon / overdue: soonest due first (the overdue one leads).
    const due = store.cases.list({ queue: 'due' }, ME.id, NOW)
    expect(ids(due.rows)).toEqual(['case_00003', 'case_00006', 'case_00001'])
    expect(due.rows.map((r) => r.sla)).toEqual(['overdue', 'due_soon', 'due_soon'])
    expect(ids(store.cases.list({ queue: 'all' }, ME.id, NOW).rows)).toEqual([
      'case_00003',
      'case_00006',
      'case_00001',
      'case_00004',
      'case_00002',
      'case_00005',
    ])
    const withClosed = store.cases.list({ queue: 'all', includeClosed: true }, ME.id, NOW)
    expect(ids(withClosed.rows)).toContain('case_00007')
    expect(ids(withClosed.rows)).not.toContain('case_00008')
    expect(mine.counts).toEqual({ mine: 2, unassigned: 3, escalated: 1, due: 3, all: 6 })
    // Someone else's "mine".
    expect(ids(store.cases.list({ queue: 'mine' }, ASHA.id, NOW).rows)).toEqual(['case_00006'])
  })

  it('pages with offset and limit, and matches the entity id by case-insensitive prefix (wildcards literal)', () => {
    const { store } = setup()
    seedTeam(store)
    const page = store.cases.list({ queue: 'all', offset: 1, limit: 2 }, ME.id, NOW)
    expect(ids(page.rows)).toEqual(['case_00006', 'case_00001'])
    expect(page.total).toBe(6)
    expect(ids(store.cases.list({ queue: 'all', text: 'm_SHOP%' }, ME.id, NOW).rows)).toEqual(['case_00004'])
    // '%' is not a wildcard: "C%" matches no entity id starting with C%.
    expect(store.cases.list({ queue: 'all', text: 'C%' }, ME.id, NOW).total).toBe(0)
    const c = store.cases.list({ queue: 'all', text: 'c' }, ME.id, NOW)
    expect(ids(c.rows).sort()).toEqual(['case_00001', 'case_00002', 'case_00003', 'case_00005', 'case_00006'])
    // The badges count the queues whatever the search.
    expect(c.counts.all).toBe(6)
  })

  it('opens a case with its alerts worst first and its timeline oldest first; a pull replaces the timeline', () => {
    const { store } = setup()
    seedCases(store, [makeCase(1)], [makeCaseEvent('case_00001', 2, { kind: 'comment', data: { text: 'second' } }), makeCaseEvent('case_00001', 1)])
    seedAnomalies(store, [
      makeAnomaly(1, { caseId: 'case_00001', severity: 'LOW', score: 0.2 }),
      makeAnomaly(2, { caseId: 'case_00001', severity: 'CRITICAL', score: 0.9 }),
      makeAnomaly(3, { caseId: 'case_00001', severity: 'CRITICAL', score: 0.95 }),
      makeAnomaly(4, { caseId: null }),
    ])
    const detail = store.cases.get('case_00001', NOW)
    expect(detail.alerts.map((a) => a.id)).toEqual(['an_00003', 'an_00002', 'an_00001'])
    expect(detail.timeline.map((e) => [e.kind, e.pending])).toEqual([
      ['opened', false],
      ['comment', false],
    ])
    expect(detail.conflict).toBeNull()
    expect(detail.cachedTransactions).toEqual({ count: 0, fetchedAt: null })
    seedCases(store, [makeCase(1, { updatedAt: 5_000 })], [makeCaseEvent('case_00001', 9, { kind: 'comment', data: { text: 'only this' } })])
    expect(store.cases.get('case_00001', NOW).timeline.map((e) => e.data)).toEqual([{ text: 'only this' }])
    expect(() => store.cases.get('case_missing', NOW)).toThrow('No case case_missing in the local cache')
  })
})
