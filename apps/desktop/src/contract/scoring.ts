import type { FileDomainCheck, FileEvaluation, MappableField } from '@anomalyze/shared/engine'

/** State of on-device CSV scoring, as the renderer sees it. */
export interface ScoringAvailability {
  available: boolean
  /** Why not, when not available (e.g. the model cannot be loaded). */
  reason: string | null
  /** The model files are scored with ("default@1.0.0" until a synced model exists). */
  modelVersion: string | null
}

/**
 * Where a CSV comes from. Electron passes the path the analyst picked; the browser
 * uploads the bytes to the local core first (`POST /upload`) and passes the id it got.
 * Either way the core reads a file on its own disk, so scoring is path-or-bytes agnostic.
 */
export type ScoringSource = { path: string } | { uploadId: string }

/** Field -> zero-based column index (the shared engine's ColumnMapping). */
export type FieldMapping = Partial<Record<MappableField, number>>

export interface CsvInspection {
  fileName: string
  sizeBytes: number
  headers: string[]
  /** First few data rows, for the mapping preview. */
  sample: string[][]
  mapping: FieldMapping
  /** True when the mapping is one the analyst confirmed before for this header row. */
  remembered: boolean
  /** Problems with the proposed mapping (e.g. no amount column). */
  errors: string[]
}

export interface StartScoringArgs {
  source: ScoringSource
  mapping: FieldMapping
  /** Batch name shown in the queue's source picker (default: the file name). */
  name?: string
}

export interface BadRow {
  line: number
  field: string
  reason: string
}

export type ScoringJobState = 'running' | 'done' | 'failed' | 'cancelled'

export interface ScoringJob {
  jobId: string
  batchId: string
  name: string
  state: ScoringJobState
  /** Data rows read so far (good and bad). */
  rowsRead: number
  scored: number
  /**
   * Scored rows that went to the triage queue: what the server would keep as an
   * anomaly (MEDIUM or above, or a rule fired). The rest are in the export only.
   */
  alerts: number
  badRowCount: number
  /** Bytes read / file size: rows cannot be counted before they are read. */
  fraction: number
  /** The first bad rows (the full list: `scoring.badRows`). */
  badRows: BadRow[]
  error: string | null
  modelVersion: string | null
  startedAt: number
  finishedAt: number | null
  /** What the job does: score a picked file, or re-score a batch with a model fitted on it. */
  kind: ScoringJobKind
  /** What a refit is doing now ("Fitting on 51,392 rows…"); null for plain scoring. */
  stage: string | null
}

export type ScoringJobKind = 'score' | FileModelKind

/**
 * Models fitted on the file itself, for files unlike the model's training data:
 * 'file-forest' an isolation forest (no labels needed), 'file-labels' boosted trees
 * trained on the file's own label column and measured on a holdout.
 */
export type FileModelKind = 'file-forest' | 'file-labels'

/** Whether a file looks like the model's training data (see checkFileDomain). */
export type BatchDomainCheck = ({ available: true } & FileDomainCheck) | { available: false; reason: string }

/** The file-fitted model a batch was re-scored with. */
export interface BatchFileModel {
  kind: FileModelKind
  /** Held-out evaluation of a label-trained model; null for the forest (no labels). */
  evaluation: FileEvaluation | null
  /** Severity cut-offs from the alert budget over this file's scores. */
  severityThresholds: { medium: number; high: number; critical: number }
  fittedAt: number
}

export interface RefitBatchArgs {
  batchId: string
  kind: FileModelKind
}

export interface LocalBatch {
  id: string
  name: string
  /** Rows scored (all of them are in the export). */
  rowCount: number
  /** Of those, the rows in the triage queue (see ScoringJob.alerts). */
  alertCount: number
  badRowCount: number
  modelVersion: string | null
  createdAt: number
  /** The domain check made when the file was scored; null for files scored before it existed. */
  domain: BatchDomainCheck | null
  /** Set when the batch was re-scored with a model fitted on the file. */
  fileModel: BatchFileModel | null
  /** The file's column mapping has a label column (training on it is offered). */
  hasLabels: boolean
  /** The file is still on this machine, so the batch can be re-scored with a file-fitted model. */
  refittable: boolean
}

export interface BadRowsPage {
  total: number
  rows: BadRow[]
}

/**
 * Where 'scoring.export' writes: a path from the native save dialog (which asked about
 * overwriting), or a plain file name (no folders, no "..") inside `<data dir>/exports/`,
 * which replaces an existing file only with `overwrite: true`.
 */
export type ExportArgs = { batchId: string; path: string } | { batchId: string; fileName: string; overwrite?: boolean }
