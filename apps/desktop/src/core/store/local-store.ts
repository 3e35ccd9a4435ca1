import type Database from 'better-sqlite3'
import type { TPullOutput } from '@anomalyze/shared'
import type { Dashboard } from '../../contract/dashboard.ts'
import { createPageApplier } from './apply-page.ts'
import { createBulkLoad, type BulkLoad } from './bulk-load.ts'
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
  applyPage(page: TPullOutput, now: number): void
  dashboard(batchId: string | null): Dashboard
  countServerAnomalies(): number
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
  const countServer = db.prepare('SELECT COUNT(*) FROM anomalies WHERE batch_id IS NULL').pluck()
  return {
    db,
    queue: createQueueQueries(db),
    outbox: createOutbox(db),
    state,
    batches,
    bulkLoad,
    applyPage,
    dashboard: (batchId) => readDashboard(db, batchId),
    countServerAnomalies: () => countServer.get() as number,
    close: () => {
      db.close()
    },
  }
}
