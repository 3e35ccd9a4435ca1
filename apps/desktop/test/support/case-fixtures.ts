import type { TCaseEvent, TCasePerson, TCaseRow } from '@anomalyze/shared'
import type { LocalStore } from '../../src/core/store/local-store.ts'

export const ASHA: TCasePerson = { id: 'user_asha', name: 'Asha Rao' }
export const ME: TCasePerson = { id: 'user_me', name: 'Priya' }

/** A case as the server would send it, with predictable fields from `i`. */
export function makeCase(i: number, overrides: Partial<TCaseRow> = {}): TCaseRow {
  return {
    id: `case_${String(i).padStart(5, '0')}`,
    entityType: 'ACCOUNT',
    entityId: `C${i}`,
    status: 'OPEN',
    priority: 'MEDIUM',
    assignee: null,
    dueAt: null,
    slaMinutes: null,
    breachedAt: null,
    mergedIntoId: null,
    alertCount: 1,
    openAlertCount: 1,
    openedBy: null,
    closedAt: null,
    closedBy: null,
    createdAt: 1_000 + i,
    updatedAt: 1_000 + i,
    ...overrides,
  }
}

export function makeCaseEvent(caseId: string, n: number, overrides: Partial<TCaseEvent> = {}): TCaseEvent {
  return {
    id: `${caseId}:ev${n}`,
    caseId,
    kind: 'opened',
    actor: null,
    actorName: 'Anomalyze',
    at: 1_000 + n,
    data: { entityType: 'ACCOUNT', entityId: 'C1', by: 'ingestion' },
    mutationId: null,
    ...overrides,
  }
}

/** Stores cases (and their events) as one pull page would. */
export function seedCases(store: LocalStore, cases: TCaseRow[], events: TCaseEvent[] = []): void {
  store.applyCasePage({ cases, events, nextCursor: null, hasMore: false })
}
