import { afterEach, describe, expect, it } from 'vitest'
import type { TCasePushResult } from '@anomalyze/shared'
import { ASHA, makeCase, makeCaseEvent, ME, seedCases } from '../../../test/support/case-fixtures.ts'
import { FakeSyncServer } from '../../../test/support/fake-sync-server.ts'
import { makeAnomaly, seedAnomalies, tempStore } from '../../../test/support/fixtures.ts'
import { SyncEngine } from '../sync/sync-engine.ts'

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

const NOW = Date.UTC(2026, 5, 1)

function setup() {
  const temp = tempStore()
  cleanups.push(temp.cleanup)
  seedCases(temp.store, [makeCase(1, { alertCount: 3, openAlertCount: 2 }), makeCase(2, { assignee: ASHA })], [makeCaseEvent('case_00001', 1)])
  seedAnomalies(temp.store, [
    makeAnomaly(1, { caseId: 'case_00001' }),
    makeAnomaly(2, { caseId: 'case_00001', status: 'NEEDS_REVIEW' }),
    makeAnomaly(3, {
      caseId: 'case_00001',
      status: 'FALSE_POSITIVE',
      isFalsePositive: true,
      latestDecision: { label: 'FALSE_POSITIVE', note: null, decidedBy: 'Asha Rao', decidedAt: 900 },
    }),
    makeAnomaly(4, { caseId: null }),
  ])
  return temp
}

const status = (store: ReturnType<typeof setup>['store'], id: string) =>
  store.db.prepare<[string], { status: string }>('SELECT status FROM anomalies WHERE id = ?').get(id)?.status

describe('the case-action outbox', () => {
  it('shows a claim at once, sends it with its mutation id and time, and lets it go once applied', () => {
    const { store } = setup()
    const { mutationId } = store.caseOutbox.record({ caseId: 'case_00001', kind: 'claim' }, ME, NOW)
    const detail = store.cases.get('case_00001', NOW)
    expect(detail.case).toMatchObject({ assignee: ME, pending: true })
    expect(store.cases.list({ queue: 'mine' }, ME.id, NOW).rows.map((r) => r.id)).toEqual(['case_00001'])
    expect(detail.timeline.map((e) => [e.kind, e.pending, e.data])).toEqual([
      ['opened', false, { entityType: 'ACCOUNT', entityId: 'C1', by: 'ingestion' }],
      ['assigned', true, { assignee: ME, previous: null, how: 'claim' }],
    ])
    expect(store.caseOutbox.takeForPush(10)).toEqual([{ mutationId, caseId: 'case_00001', at: NOW, kind: 'claim' }])
    // In flight: not taken twice.
    expect(store.caseOutbox.takeForPush(10)).toEqual([])
    store.caseOutbox.markOutcomes([{ mutationId, outcome: 'applied', case: makeCase(1, { assignee: ME, updatedAt: NOW }) }], NOW)
    expect(store.caseOutbox.count()).toBe(0)
    expect(store.cases.get('case_00001', NOW)).toMatchObject({ case: { assignee: ME, pending: false }, conflict: null })
  })

  it('a claim that lost shows who holds the case, and the case as the server has it', () => {
    const { store } = setup()
    const { mutationId } = store.caseOutbox.record({ caseId: 'case_00001', kind: 'claim' }, ME, NOW)
    store.caseOutbox.takeForPush(10)
    const answer: TCasePushResult = {
      mutationId,
      outcome: 'conflict',
      reason: 'Asha Rao holds this case',
      heldBy: ASHA,
      case: makeCase(1, { assignee: ASHA, updatedAt: NOW }),
    }
    store.caseOutbox.markOutcomes([answer], NOW + 5)
    expect(store.caseOutbox.count()).toBe(0)
    const detail = store.cases.get('case_00001', NOW)
    expect(detail.case.assignee).toEqual(ASHA)
    expect(detail.conflict).toEqual({ kind: 'claim', heldBy: ASHA, message: 'Asha Rao holds this case', at: NOW + 5 })
    expect(store.caseOutbox.conflictFor(mutationId)).toEqual(detail.conflict)
    // A later action of this analyst that the server applies ends the notice.
    const comment = store.caseOutbox.record({ caseId: 'case_00001', kind: 'comment', text: 'noted' }, ME, NOW + 10)
    store.caseOutbox.markOutcomes([{ mutationId: comment.mutationId, outcome: 'applied', case: null }], NOW + 20)
    expect(store.cases.get('case_00001', NOW).conflict).toBeNull()
  })

  it('closing decides the undecided alerts at once (pending), and a refusal puts them and the case back', () => {
    const { store } = setup()
    const { mutationId } = store.caseOutbox.record({ caseId: 'case_00001', kind: 'close', status: 'CLOSED_FRAUD', note: 'card skimmed' }, ME, NOW)
    expect(['an_00001', 'an_00002', 'an_00003', 'an_00004'].map((id) => status(store, id))).toEqual([
      'CONFIRMED_FRAUD',
      'CONFIRMED_FRAUD',
      'FALSE_POSITIVE',
      'OPEN',
    ])
    const detail = store.cases.get('case_00001', NOW)
    expect(detail.case).toMatchObject({ status: 'CLOSED_FRAUD', openAlertCount: 0, closedBy: ME, closedAt: NOW, sla: 'none' })
    expect(detail.alerts.every((a) => a.pending)).toBe(true)
    // The queue shows them pending too; an alert of no case does not change.
    expect(store.queue.get('an_00001')).toMatchObject({ status: 'CONFIRMED_FRAUD', pending: true })
    expect(store.queue.get('an_00004')).toMatchObject({ status: 'OPEN', pending: false })
    expect(detail.timeline.at(-1)).toMatchObject({ kind: 'closed', pending: true, data: { status: 'CLOSED_FRAUD', note: 'card skimmed', decidedCount: 2 } })
    expect(store.cases.list({ queue: 'all' }, ME.id, NOW).rows.map((r) => r.id)).toEqual(['case_00002'])
    // Closing again here is refused before anything is queued.
    expect(() => store.caseOutbox.record({ caseId: 'case_00001', kind: 'close', status: 'CLOSED_LEGITIMATE' }, ME, NOW)).toThrow('already closed')

    store.caseOutbox.markOutcomes([{ mutationId, outcome: 'rejected', reason: 'Viewers cannot close cases', case: null }], NOW + 1)
    expect(['an_00001', 'an_00002', 'an_00003'].map((id) => status(store, id))).toEqual(['OPEN', 'NEEDS_REVIEW', 'FALSE_POSITIVE'])
    const back = store.cases.get('case_00001', NOW)
    expect(back.case).toMatchObject({ status: 'OPEN', openAlertCount: 2, closedAt: null, pending: false })
    expect(back.conflict).toMatchObject({ kind: 'close', heldBy: null, message: 'Viewers cannot close cases' })
  })

  it('keeps waiting actions on top of a pulled case until the server answers them', () => {
    const { store } = setup()
    store.caseOutbox.record({ caseId: 'case_00001', kind: 'status', status: 'ESCALATED' }, ME, NOW)
    seedCases(store, [makeCase(1, { priority: 'CRITICAL', updatedAt: NOW })])
    expect(store.cases.get('case_00001', NOW).case).toMatchObject({ status: 'ESCALATED', priority: 'CRITICAL', pending: true })
  })

  it('refuses what the server would refuse, naming the field, before queueing it', () => {
    const { store } = setup()
    expect(() => store.caseOutbox.record({ caseId: 'case_00001', kind: 'comment', text: 'bad \u0000 byte' }, ME, NOW)).toThrow(/^text: /)
    expect(() => store.caseOutbox.record({ caseId: 'case_nope', kind: 'claim' }, ME, NOW)).toThrow('No case case_nope in the local cache')
    expect(() => store.caseOutbox.record({ caseId: 'case_00001', kind: 'unassign' }, ME, NOW)).toThrow('has no assignee')
    expect(store.caseOutbox.count()).toBe(0)
  })

  it('an assignment shows the teammate by the name the cache knows them by', () => {
    const { store } = setup()
    store.caseOutbox.record({ caseId: 'case_00001', kind: 'assign', assigneeId: ASHA.id }, ME, NOW)
    expect(store.cases.get('case_00001', NOW).case.assignee).toEqual(ASHA)
  })
})

describe('syncing with a server from before cases', () => {
  it('syncs anomalies as before and keeps case actions queued, with no error', async () => {
    const { store } = setup()
    const server = new FakeSyncServer([makeAnomaly(10)])
    const engine = new SyncEngine({ store, now: () => NOW, createClient: () => server.client() })
    await engine.signIn('http://127.0.0.1:1', 'token')
    store.caseOutbox.record({ caseId: 'case_00001', kind: 'comment', text: 'kept' }, ME, NOW)
    const after = await engine.syncNow()
    expect(after).toMatchObject({ state: 'idle', error: null, pending: 1 })
    expect(status(store, 'an_00010')).toBe('OPEN')
    expect(store.caseOutbox.takeForPush(10)).toHaveLength(1)
  })
})
