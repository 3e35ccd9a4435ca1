import type Database from 'better-sqlite3'
import type { TPullOutput } from '@anomalyze/shared'
import { featuresBlob, toAnomalyParams, UPSERT_SYNCED_SQL, type AnomalyParams, type RescoreColumns } from './anomaly-rows.ts'
import type { SyncStateStore } from './sync-state.ts'
import { writeTransaction } from './open-database.ts'

/**
 * Writes one pulled page and the cursor that follows it in a single transaction: a
 * crash leaves either the whole page with its cursor or neither, so the next sync
 * resumes exactly after the last page that was stored.
 *
 * A local decision that has not reached the server yet and is newer than the
 * server's keeps its status (the contract's rule: the latest decidedAt wins); the
 * push will bring the server round, and a later pull confirms it. A score this
 * desktop re-computed with a newer model survives a pull (see UPSERT_SYNCED_SQL).
 */
type SyncedParams = AnomalyParams & Pick<RescoreColumns, 'features'> & { case_id: string | null }

/**
 * UPSERT_SYNCED_SQL with positional parameters, in the order of its named ones:
 * better-sqlite3 binds an array about a quarter faster than an object of 30 named
 * values (bench:desktop, 100,000 rows in a first sync).
 */
const SYNCED_COLUMNS = [...UPSERT_SYNCED_SQL.matchAll(/@(\w+)/g)].map((m) => m[1] as keyof SyncedParams)
const UPSERT_SYNCED_POSITIONAL_SQL = UPSERT_SYNCED_SQL.replace(/@\w+/g, '?')

export function createPageApplier(db: Database.Database, state: SyncStateStore): (page: TPullOutput, now: number) => void {
  const upsert = db.prepare<unknown[]>(UPSERT_SYNCED_POSITIONAL_SQL)
  // Every decision not yet pushed, oldest first, read once per page: the outbox
  // holds a handful, where a lookup per pulled row was 100,000 queries in a first sync.
  const pendingDecisions = db.prepare<[], PendingDecision>(
    `SELECT mutation_id, anomaly_id, decided_at, label, note, decided_by, decided_by_id FROM outbox
     WHERE pushed_at IS NULL AND undone = 0 AND local_only = 0
     ORDER BY decided_at, rowid`,
  )
  return writeTransaction(db, (page: TPullOutput, now: number) => {
    const latestPending = new Map<string, PendingDecision>()
    // Later rows overwrite earlier ones: the map keeps each anomaly's latest decision.
    for (const d of pendingDecisions.iterate()) latestPending.set(d.anomaly_id, d)
    for (const anomaly of page.anomalies) {
      // One more property on the mapped row, not a copy of its 30 (a spread cost a tenth of the apply).
      const params = toAnomalyParams(anomaly) as SyncedParams
      params.features = featuresBlob(anomaly.features)
      params.case_id = anomaly.caseId ?? null
      const local = latestPending.get(anomaly.id)
      if (local !== undefined && local.decided_at >= (anomaly.latestDecision?.decidedAt ?? Number.NEGATIVE_INFINITY)) {
        params.status = local.label as AnomalyParams['status']
        params.decision_label = local.label as AnomalyParams['decision_label']
        params.decision_note = local.note
        params.decided_at = local.decided_at
        // Rows queued before migration 5 did not record their decider: the server's name stays.
        if (local.decided_by !== null) {
          params.decided_by = local.decided_by
          params.decided_by_id = local.decided_by_id
        }
        // What the analyst sees in force, so their next decision is based on it.
        params.decision_mutation_id = local.mutation_id
      }
      upsert.run(SYNCED_COLUMNS.map((c) => params[c]))
    }
    if (page.nextCursor !== null) state.set('cursor', page.nextCursor)
    if (page.total !== null) state.set('serverTotal', String(page.total))
    state.set('activeModelVersion', page.activeModel?.version ?? null)
    state.set('activeModelSha256', page.activeModel?.sha256 ?? null)
    if (!page.hasMore) state.set('lastSyncedAt', String(now))
  })
}

interface PendingDecision {
  mutation_id: string
  anomaly_id: string
  decided_at: number
  label: string
  note: string | null
  decided_by: string | null
  decided_by_id: string | null
}
