import type Database from 'better-sqlite3'
import { severityRank, type Severity } from '@anomalyze/shared'
import { FEATURE_NAMES } from '@anomalyze/shared/engine'
import type { MovedDirection } from '../../contract/queue.ts'
import { writeTransaction } from './open-database.ts'

/** A row to re-score: its integer key, stored feature vector and what it shows now. */
export interface RescoreCandidate {
  n: number
  features: Buffer
  score: number
  severity: Severity
  model_version: string | null
}

export interface RescoreResult {
  n: number
  score: number
  severity: Severity
  moved: MovedDirection | null
}

export interface RescoreRows {
  /** Rows with a feature vector whose score comes from another model than `version`. */
  countCandidates(version: string): number
  /** The next `limit` of those after key `afterN`, in key order. */
  candidates(version: string, afterN: number, limit: number): RescoreCandidate[]
  /** Stores new scores under `version`, keeping what each row showed before (one transaction). */
  apply(version: string, results: readonly RescoreResult[]): void
  /** Forgets the markers of an earlier model change. */
  clearMoved(): void
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
    `SELECT n, features, score, severity, model_version FROM anomalies
     WHERE ${width} AND model_version IS NOT ? AND n > ? ORDER BY n LIMIT ?`,
  )
  const update = db.prepare<[number, string, number, string, string | null, number]>(
    `UPDATE anomalies SET prev_score = score, prev_severity = severity, prev_model_version = model_version,
       score = ?, severity = ?, severity_rank = ?, model_version = ?, moved = ?
     WHERE n = ?`,
  )
  const clear = db.prepare('UPDATE anomalies SET moved = NULL WHERE moved IS NOT NULL')
  const apply = writeTransaction(db, (version: string, results: readonly RescoreResult[]) => {
    for (const r of results) update.run(r.score, r.severity, severityRank(r.severity), version, r.moved, r.n)
  })
  return {
    countCandidates: (version) => count.get(version) ?? 0,
    candidates: (version, afterN, limit) => next.all(version, afterN, limit),
    apply: (version, results) => apply(version, results),
    clearMoved: () => void clear.run(),
  }
}
