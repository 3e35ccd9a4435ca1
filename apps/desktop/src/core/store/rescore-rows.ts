import type Database from 'better-sqlite3'
import { severityRank, type Severity } from '@anomalyze/shared'
import { FEATURE_NAMES } from '@anomalyze/shared/engine'
import type { MovedDirection } from '../../contract/queue.ts'
import { writeTransaction } from './open-database.ts'
import { buildQueueWhere } from './queue-filters.ts'

/** A row to re-score: its integer key, stored feature vector, fired rules and what it shows now. */
export interface RescoreCandidate {
  n: number
  features: Buffer
  score: number
  severity: Severity
  model_version: string | null
  rules_json: string
  /** For the explanation's amounts (e.g. "usually 120.00 USD"). */
  currency: string
}

export interface RescoreResult {
  n: number
  score: number
  severity: Severity
  moved: MovedDirection | null
  /** The sentence and its data for the new score (the old ones name the old score). */
  explanation: string
  explanationData: string
}

/** A synced row that cannot be re-scored (no vector of this build's width). */
export interface UnscorableRow {
  n: number
  score: number
  severity: Severity
}

/** Rows the Moved filter lists, per direction. */
export type MovedCounts = Record<MovedDirection, number>

export interface RescoreRows {
  /** Rows with a feature vector whose score comes from another model than `version`. */
  countCandidates(version: string): number
  /** The next `limit` of those after key `afterN`, in key order. */
  candidates(version: string, afterN: number, limit: number): RescoreCandidate[]
  /** Stores new scores under `version`, keeping what each row showed before (one transaction). */
  apply(version: string, results: readonly RescoreResult[]): void
  /** Synced rows scored by another model than `version` that have no usable vector. */
  unscorable(version: string): UnscorableRow[]
  /** Gives those rows a new severity for the score they keep, and their moved marker (one transaction). */
  remap(changes: readonly { n: number; severity: Severity; moved: MovedDirection | null }[]): void
  /** Forgets the markers of an earlier model change. */
  clearMoved(): void
  /** What the queue's Moved filter lists now, by direction: the status bar's figures. */
  countMoved(): MovedCounts
}

/**
 * SQL of re-scoring the local queue with a new active model (core/models/rescore-queue.ts
 * drives it). The previous score, severity and model version are kept on the row, so
 * the detail pane can say what the change did to it.
 */
export function createRescoreRows(db: Database.Database): RescoreRows {
  // Only vectors of this build's width: a cache written by an older build (fewer
  // features) keeps its scores rather than being scored from misread bytes.
  const width = `length(features) = ${FEATURE_NAMES.length * 4}`
  const count = db.prepare<[string], number>(`SELECT COUNT(*) FROM anomalies WHERE ${width} AND model_version IS NOT ?`).pluck()
  const next = db.prepare<[string, number, number], RescoreCandidate>(
    `SELECT n, features, score, severity, model_version, rules_json, currency FROM anomalies
     WHERE ${width} AND model_version IS NOT ? AND n > ? ORDER BY n LIMIT ?`,
  )
  const update = db.prepare<[number, string, number, string, string | null, string, string, number]>(
    `UPDATE anomalies SET prev_score = score, prev_severity = severity, prev_model_version = model_version,
       score = ?, severity = ?, severity_rank = ?, model_version = ?, moved = ?, explanation = ?, explanation_data = ?
     WHERE n = ?`,
  )
  const unscorable = db.prepare<[string], UnscorableRow>(
    `SELECT n, score, severity FROM anomalies
     WHERE batch_id IS NULL AND model_version IS NOT ? AND (features IS NULL OR NOT ${width})`,
  )
  // The score and the model that gave it stay: only the severity follows the active
  // cut-offs. prev_model_version = the row's own version lets a pull that re-sends the
  // same server row keep the remapped severity (UPSERT_SYNCED_SQL's rule).
  const remapOne = db.prepare<[string, number, string | null, number]>(
    `UPDATE anomalies SET prev_score = score, prev_severity = severity, prev_model_version = model_version,
       severity = ?, severity_rank = ?, moved = ?
     WHERE n = ?`,
  )
  const clear = db.prepare('UPDATE anomalies SET moved = NULL WHERE moved IS NOT NULL')
  // The Moved filter's own WHERE clause, so the status bar counts exactly what it lists.
  const movedWhere = buildQueueWhere({ moved: true })
  const moved = db.prepare<unknown[], { moved: MovedDirection; count: number }>(
    `SELECT moved, COUNT(*) AS count FROM anomalies WHERE ${movedWhere.sql} GROUP BY moved`,
  )
  const apply = writeTransaction(db, (version: string, results: readonly RescoreResult[]) => {
    for (const r of results) update.run(r.score, r.severity, severityRank(r.severity), version, r.moved, r.explanation, r.explanationData, r.n)
  })
  const remap = writeTransaction(db, (changes: readonly { n: number; severity: Severity; moved: MovedDirection | null }[]) => {
    for (const c of changes) remapOne.run(c.severity, severityRank(c.severity), c.moved, c.n)
  })
  return {
    countCandidates: (version) => count.get(version) ?? 0,
    candidates: (version, afterN, limit) => next.all(version, afterN, limit),
    apply: (version, results) => apply(version, results),
    unscorable: (version) => unscorable.all(version),
    remap: (changes) => remap(changes),
    clearMoved: () => void clear.run(),
    countMoved: () => {
      const counts: MovedCounts = { up: 0, down: 0, dropped: 0 }
      for (const row of moved.all(...movedWhere.params)) counts[row.moved] = row.count
      return counts
    },
  }
}
