import type Database from 'better-sqlite3'
import type { TCaseGetOutput, TCasePullOutput, TPullOutput } from '@anomalyze/shared'
import type { Dashboard } from '../../contract/dashboard.ts'
import { createPageApplier } from './apply-page.ts'
import { createBulkLoad, type BulkLoad } from './bulk-load.ts'
import { createCaseOutbox, type CaseOutbox } from './case-outbox.ts'
import { createCaseApplier, createCasePageApplier } from './case-pull.ts'
import { createCaseQueries, type CaseQueries } from './case-queries.ts'
import { createEntityCache, type EntityCache } from './entity-cache.ts'
import { createLocalBatches, type LocalBatches } from './local-batches.ts'
import { readDashboard } from './dashboard-queries.ts'
import { openDatabase } from './open-database.ts'
import { createOutbox, type Outbox } from './outbox.ts'
import { createQueueQueries, type QueueQueries } from './queue-queries.ts'
import { createSyncStateStore, type SyncStateStore } from './sync-state.ts'

/** The local cache: one SQLite file, and the few ways the rest of the core uses it. */
export interface LocalStore {
  readonly db: Database.Database
  readonly queue: QueueQueries
  readonly outbox: Outbox
  readonly state: SyncStateStore
  readonly batches: LocalBatches
  readonly bulkLoad: BulkLoad
  readonly cases: CaseQueries
  readonly caseOutbox: CaseOutbox
  readonly entities: EntityCache
  applyPage(page: TPullOutput, now: number): void
  /** One page of the case pull, with its cursor (case-pull.ts). */
  applyCasePage(page: TCasePullOutput): void
  /** One case read back whole (cases.get) after this console changed it: the case, its timeline, which alerts it holds. */
  applyCase(answer: TCaseGetOutput): void
  dashboard(batchId: string | null): Dashboard
  countServerAnomalies(): number
  /**
   * Drops everything synced from the server (anomalies, the pull cursor, the outbox's
   * pushed history), keeping files scored on this machine: another organisation's
   * queue must not show through the next one's.
   */
  forgetServerData(): void
  close(): void
}

export function openLocalStore(file: string): LocalStore {
  const db = openDatabase(file)
  const state = createSyncStateStore(db)
  const applyPage = createPageApplier(db, state)
  const batches = createLocalBatches(db)
  // A file being scored when the app died is incomplete: drop it rather than show half.
  batches.discardUnfinished()
  const bulkLoad = createBulkLoad(db, state)
  // Indexes set aside by a sync that never finished (the app died mid-load) come back.
  bulkLoad.end()
  const countServerAnomalies = createServerCount(db)
  const outbox = createOutbox(db)
  const caseOutbox = createCaseOutbox(db)
  const entities = createEntityCache(db)
  return {
    db,
    queue: createQueueQueries(db, (id) => outbox.conflictOn(id)),
    outbox,
    state,
    batches,
    bulkLoad,
    cases: createCaseQueries(db, caseOutbox, entities),
    caseOutbox,
    entities,
    applyCasePage: createCasePageApplier(db, state, caseOutbox),
    applyCase: createCaseApplier(db, state, caseOutbox),
    applyPage: (page, now) => {
      countServerAnomalies.forget()
      applyPage(page, now)
    },
    dashboard: (batchId) => readDashboard(db, batchId),
    countServerAnomalies: () => countServerAnomalies.get(),
    forgetServerData: db.transaction(() => {
      countServerAnomalies.forget()
      db.exec('DELETE FROM outbox WHERE local_only = 0')
      db.exec('DELETE FROM anomalies WHERE batch_id IS NULL')
      // Cases, their actions and the entity view's cache are the organisation's too.
      for (const table of ['cases', 'case_events', 'case_outbox', 'case_conflicts', 'entity_profiles', 'entity_transactions']) db.exec(`DELETE FROM ${table}`)
      for (const key of ['cursor', 'lastSyncedAt', 'serverTotal', 'modelChange', 'caseCursor'] as const) state.set(key, null)
    }),
    close: () => {
      db.close()
    },
  }
}

/**
 * The sync status asks for this count every few seconds and after every label; at
 * 100,000 rows the COUNT walks a whole index (5 ms, holding up the one-call-at-a-time
 * core). Server rows only arrive through applyPage, which forgets the count; the
 * highest key and the file's data version catch any other writer (tests, another
 * connection) without a scan.
 */
function createServerCount(db: Database.Database): { get(): number; forget(): void } {
  const count = db.prepare('SELECT COUNT(*) FROM anomalies WHERE batch_id IS NULL').pluck()
  const marker = db.prepare('SELECT max(n) FROM anomalies').pluck()
  let cached: { marker: string; count: number } | null = null
  const currentMarker = (): string => `${String(marker.get())}/${String(db.pragma('data_version', { simple: true }))}`
  return {
    get() {
      const now = currentMarker()
      if (cached?.marker !== now) cached = { marker: now, count: count.get() as number }
      return cached.count
    },
    forget() {
      cached = null
    },
  }
}
