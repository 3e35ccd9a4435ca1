import type Database from 'better-sqlite3'
import type { TCasePullOutput } from '@anomalyze/shared'
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
