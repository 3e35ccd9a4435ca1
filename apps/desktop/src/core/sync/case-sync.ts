import { AppError, MAX_CASE_ACTIONS, ZCaseGetOutput, ZCasePullOutput, ZCasePushOutput } from '@anomalyze/shared'
import type { LocalStore } from '../store/local-store.ts'
import type { ServerClient } from './server-client.ts'

/**
 * The case half of a sync: the case-action outbox up (cases.push), cases and their
 * timelines down (cases.pull, with its own cursor). A server from before cases has no
 * such procedures: it answers NOT_FOUND, and the console syncs as before.
 */
export type CaseSyncOutcome = 'done' | 'unsupported'

export const CASE_PULL_PAGE = 500

function isMissingProcedure(error: unknown): boolean {
  return error instanceof AppError && error.code === 'NOT_FOUND'
}

/** Pushes every waiting case action, oldest first; answered ones leave the outbox (case-outbox.ts). */
export async function pushCaseActions(client: ServerClient, store: LocalStore, now: () => number): Promise<CaseSyncOutcome> {
  const { caseOutbox } = store
  const sent = new Set<string>()
  for (;;) {
    const actions = caseOutbox.takeForPush(MAX_CASE_ACTIONS)
    if (actions.length === 0) return 'done'
    if (actions.some((a) => sent.has(a.mutationId))) {
      throw new AppError('INTERNAL', 'The server did not answer every pushed case action; they stay queued.')
    }
    let answer: unknown
    try {
      answer = await client.call('mutation', 'cases.push', { actions })
    } catch (error) {
      caseOutbox.releaseInFlight()
      if (isMissingProcedure(error)) return 'unsupported'
      throw error
    }
    const { results } = ZCasePushOutput.parse(answer)
    caseOutbox.markOutcomes(results, now())
    caseOutbox.releaseInFlight()
    for (const a of actions) sent.add(a.mutationId)
    // Applied and refused actions both changed the case's timeline on the server.
    const changed = new Set<string>()
    for (const r of results) if (r.case !== null && (r.outcome === 'applied' || r.outcome === 'conflict')) changed.add(r.case.id)
    await refreshCases(client, store, changed)
  }
}

/**
 * Reads the given cases back whole (cases.get) and stores them (store/case-pull.ts
 * createCaseApplier says why). Best effort: a case that cannot be read now comes with
 * the next pull.
 */
export async function refreshCases(client: ServerClient, store: LocalStore, caseIds: Iterable<string>): Promise<void> {
  for (const id of new Set(caseIds)) {
    try {
      store.applyCase(ZCaseGetOutput.parse(await client.call('query', 'cases.get', { id })))
    } catch {
      // Unreachable, signed out, or an answer this build cannot read: the pull will do.
    }
  }
}

/** Pulls cases changed since the stored case cursor, page by page, each stored with its cursor. */
export async function pullCases(client: ServerClient, store: LocalStore, pageSize = CASE_PULL_PAGE): Promise<CaseSyncOutcome> {
  let cursor = store.state.get('caseCursor')
  for (;;) {
    let answer: unknown
    try {
      answer = await client.call('query', 'cases.pull', { cursor, limit: pageSize })
    } catch (error) {
      if (isMissingProcedure(error)) return 'unsupported'
      throw error
    }
    const page = ZCasePullOutput.parse(answer)
    store.applyCasePage(page)
    if (!page.hasMore) return 'done'
    if (page.nextCursor === null || page.nextCursor === cursor)
      throw new AppError('INTERNAL', 'The server said there are more cases to pull but gave no new cursor.')
    cursor = page.nextCursor
  }
}
