import { AppError, ZCaseGetOutput, ZCaseRow, type TCaseRow } from '@anomalyze/shared'
import type { CaseActArgs, CaseActResult, CaseListRow } from '../../contract/cases.ts'
import type { LocalStore } from '../store/local-store.ts'
import { toCaseListRow, toCaseRecord } from '../store/case-rows.ts'
import type { SyncEngine } from '../sync/sync-engine.ts'

/**
 * The core's case methods beyond plain cache reads: an action is stored and shown at
 * once, then pushed right away when the server can be reached (the answer, a conflict
 * included, comes back in the same call); opening, merging and splitting need the
 * server, since they move alerts between cases that other consoles share.
 */
export interface CaseService {
  act(args: CaseActArgs): Promise<CaseActResult>
  open(args: { entityType: 'ACCOUNT' | 'MERCHANT'; entityId: string; anomalyIds?: string[] }): Promise<CaseListRow>
  merge(args: { intoId: string; fromIds: string[] }): Promise<CaseListRow>
  split(args: { caseId: string; anomalyIds: string[] }): Promise<CaseListRow>
}

export function createCaseService(store: LocalStore, sync: SyncEngine, now: () => number): CaseService {
  const listRow = (id: string): CaseListRow => store.cases.get(id, now()).case

  /** Pushes now when signed in; a sync already past its push phase is waited for, then one more run takes the action. */
  const pushSoon = async (mutationId: string): Promise<void> => {
    if (!sync.status().signedIn) return
    if (sync.isSyncing()) await sync.syncNow()
    // Offline: the run fails at once and the action waits in the outbox for the next sync.
    if (store.caseOutbox.isPending(mutationId)) await sync.syncNow()
  }

  /** Reads the cases an online action changed back whole, so they show at once (store/case-pull.ts createCaseApplier). */
  const refresh = async (ids: string[]): Promise<void> => {
    for (const id of new Set(ids)) {
      try {
        store.applyCase(ZCaseGetOutput.parse(await sync.callServer('query', 'cases.get', { id })))
      } catch {
        // The next pull brings it.
      }
    }
  }

  const serverOnly = async (path: string, input: unknown, what: string, involved: string[]): Promise<CaseListRow> => {
    let answer: TCaseRow
    try {
      answer = ZCaseRow.parse(await sync.callServer('mutation', path, input))
    } catch (thrown) {
      if (thrown instanceof AppError && (thrown.code === 'UNAVAILABLE' || thrown.code === 'UNAUTHENTICATED')) {
        const why = thrown.code === 'UNAUTHENTICATED' ? 'sign in first' : 'it cannot be reached now'
        throw new AppError('UNAVAILABLE', `${what} needs the server: ${why}. Claims, comments and closing work offline.`)
      }
      throw thrown
    }
    store.caseOutbox.storeCase(answer)
    // The cases whose alerts moved, with their new timelines; the rest comes with the pull.
    await refresh([answer.id, ...involved])
    if (!sync.isSyncing()) await sync.syncNow()
    try {
      return listRow(answer.id)
    } catch {
      return toCaseListRow(toCaseRecord(answer), false, now())
    }
  }

  return {
    async act(args) {
      const { mutationId } = store.caseOutbox.record(args, sync.currentPerson(), now())
      await pushSoon(mutationId)
      const pending = store.caseOutbox.isPending(mutationId)
      return { case: listRow(args.caseId), pending, conflict: pending ? null : store.caseOutbox.conflictFor(mutationId) }
    },
    open: async (args) => {
      const anomalyIds = args.anomalyIds ?? []
      // The alerts leave the cases they were in: those are read back too.
      const from = anomalyIds.map((id) => store.queue.caseOf(id)).filter((id): id is string => id !== null)
      return serverOnly('cases.open', { entityType: args.entityType, entityId: args.entityId, anomalyIds }, 'Opening a case', from)
    },
    merge: (args) => serverOnly('cases.merge', args, 'Merging cases', args.fromIds),
    split: (args) => serverOnly('cases.split', args, 'Splitting a case', [args.caseId]),
  }
}
