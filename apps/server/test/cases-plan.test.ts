import { DEFAULT_CASE_SLA_MINUTES } from '@anomalyze/shared'
import { describe, expect, it } from 'vitest'
import { planCases, readCaseContext, type CaseContext } from '../src/services/cases/attach-to-cases.ts'

/** Where ingestion files each new alert (attach-to-cases.ts), as a pure plan: no database needed. */
describe('case plan for a batch of new alerts', () => {
  const now = Date.UTC(2026, 5, 1, 12)
  let next = 0
  const newId = () => `new-${(next += 1)}`
  const context = (
    openCases: [string, { id: string; priority: 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL'; dueAt: number | null; createdAt: number }][],
  ): CaseContext => ({
    openCases: new Map(openCases),
    roundRobin: false,
    sla: { ...DEFAULT_CASE_SLA_MINUTES },
  })

  it("prefers the merchant's open case, then the account's, else opens one case per account", () => {
    const plan = planCases(
      [
        { anomalyId: 'a1', accountId: 'A', merchantId: 'M-case', severity: 'LOW' },
        { anomalyId: 'a2', accountId: 'A', merchantId: 'M-other', severity: 'MEDIUM' },
        { anomalyId: 'b1', accountId: 'B', merchantId: 'M-other', severity: 'HIGH' },
        { anomalyId: 'b2', accountId: 'B', merchantId: 'M-x', severity: 'CRITICAL' },
        { anomalyId: 'c1', accountId: 'C', merchantId: 'M-x', severity: 'LOW' },
      ],
      context([
        ['MERCHANT:M-case', { id: 'merchant-case', priority: 'HIGH', dueAt: now + 1_000, createdAt: now - 1_000 }],
        ['ACCOUNT:A', { id: 'account-a', priority: 'LOW', dueAt: now + 10 * 86_400_000, createdAt: now - 3_600_000 }],
      ]),
      now,
      newId,
    )
    expect(Object.fromEntries(plan.caseOf)).toEqual({ a1: 'merchant-case', a2: 'account-a', b1: 'new-1', b2: 'new-1', c1: 'new-2' })
    expect(plan.opened).toEqual([
      { id: 'new-1', entityId: 'B', priority: 'CRITICAL', dueAt: now + DEFAULT_CASE_SLA_MINUTES.CRITICAL * 60_000 },
      { id: 'new-2', entityId: 'C', priority: 'LOW', dueAt: now + DEFAULT_CASE_SLA_MINUTES.LOW * 60_000 },
    ])
    // Existing cases: the merchant's keeps HIGH (a LOW alert does not lower it) and its due time;
    // the account's rises to MEDIUM and is due 3 days after it opened, earlier than its 10.
    expect(plan.grown).toEqual([
      { id: 'merchant-case', priority: 'HIGH', dueAt: now + 1_000 },
      { id: 'account-a', priority: 'MEDIUM', dueAt: now - 3_600_000 + DEFAULT_CASE_SLA_MINUTES.MEDIUM * 60_000 },
    ])
    expect(plan.events.filter((e) => e.kind === 'opened').map((e) => e.caseId)).toEqual(['new-1', 'new-2'])
    expect(plan.events.filter((e) => e.kind === 'alerts_added').map((e) => [e.caseId, e.data])).toEqual([
      ['merchant-case', { anomalyIds: ['a1'], count: 1 }],
      ['account-a', { anomalyIds: ['a2'], count: 1 }],
      ['new-1', { anomalyIds: ['b1', 'b2'], count: 2 }],
      ['new-2', { anomalyIds: ['c1'], count: 1 }],
    ])
  })

  it('reads the opening rows: the oldest open case of an entity, the round-robin flag, the SLA over the defaults', () => {
    const read = readCaseContext([
      { kind: 'c', key: 'ACCOUNT:A', state: { id: 'newer', priority: 'LOW', dueAt: null, createdAt: 2_000 } },
      { kind: 'c', key: 'ACCOUNT:A', state: { id: 'older', priority: 'LOW', dueAt: null, createdAt: 1_000 } },
      { kind: 'o', key: 'caseRoundRobin', state: true },
      { kind: 's', key: 'HIGH', state: 90 },
      { kind: 'a', key: 'A', state: {} },
    ])
    expect(read.openCases.get('ACCOUNT:A')?.id).toBe('older')
    expect(read.roundRobin).toBe(true)
    expect(read.sla).toEqual({ ...DEFAULT_CASE_SLA_MINUTES, HIGH: 90 })
  })
})
