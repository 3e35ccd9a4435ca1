import type Database from 'better-sqlite3'
import type { TCaseGetOutput, TCasePullOutput } from '@anomalyze/shared'
import type { CaseOutbox } from './case-outbox.ts'
import { INSERT_CASE_EVENT_SQL, toCaseEventRecord, toCaseRecord, UPSERT_CASE_SQL } from './case-rows.ts'
import { writeTransaction } from './open-database.ts'
import type { SyncStateStore } from './sync-state.ts'

/**
 * Stores one page of the case pull with its cursor in one transaction (as apply-page.ts
 * does for anomalies): the cases as the server has them, each one's timeline replaced
 * whole, then this console's actions still waiting applied on top again.
 */
export function createCasePageApplier(db: Database.Database, state: SyncStateStore, outbox: CaseOutbox): (page: TCasePullOutput) => void {
  const upsert = db.prepare(UPSERT_CASE_SQL)
  const dropEvents = db.prepare<[string]>('DELETE FROM case_events WHERE case_id = ?')
  const insertEvent = db.prepare(INSERT_CASE_EVENT_SQL)
  return writeTransaction(db, (page: TCasePullOutput) => {
    const ids = new Set(page.cases.map((c) => c.id))
    for (const row of page.cases) {
      upsert.run(toCaseRecord(row))
      dropEvents.run(row.id)
    }
    // Events of a case not in the page (a server sending more than asked) are kept out:
    // the timeline is replaced only with its own case.
    for (const event of page.events) if (ids.has(event.caseId)) insertEvent.run(toCaseEventRecord(event))
    outbox.reapplyPending(ids)
    if (page.nextCursor !== null) state.set('caseCursor', page.nextCursor)
  })
}

/**
 * Stores one case read back whole (`cases.get`) right after this console changed it
 * (an action pushed, a case opened, merged or split). The pull serves a change only
 * once it has settled on the server, about a second later, so without this the analyst
 * would see their refused claim, their comment or the alerts a split moved only at the
 * next sync. The case cursor is left alone: the pull brings the case again, harmlessly.
 */
export function createCaseApplier(db: Database.Database, state: SyncStateStore, outbox: CaseOutbox): (answer: TCaseGetOutput) => void {
  const applyPage = createCasePageApplier(db, state, outbox)
  const moveAlert = db.prepare<[string, string]>('UPDATE anomalies SET case_id = ? WHERE id = ? AND batch_id IS NULL')
  return writeTransaction(db, (answer: TCaseGetOutput) => {
    // Events of merged cases come along in the answer; the timeline keeps its own case's.
    applyPage({ cases: [answer.case], events: answer.events, nextCursor: null, hasMore: false })
    for (const id of answer.anomalyIds) moveAlert.run(answer.case.id, id)
  })
}
