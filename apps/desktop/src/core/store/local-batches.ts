import { existsSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type Database from 'better-sqlite3'
import { normaliseHeader } from '@anomalyze/shared/engine'
import type { BadRow, BadRowsPage, BatchDomainCheck, BatchFileModel, FieldMapping, LocalBatch } from '../../contract/scoring.ts'
import { UPSERT_ANOMALY_SQL, type AnomalyParams } from './anomaly-rows.ts'
import { writeTransaction } from './open-database.ts'

/** Offline-scored files: batches, their bad rows, and remembered column mappings. */
export interface LocalBatches {
  create(batch: {
    id: string
    name: string
    sourcePath: string | null
    modelVersion: string
    now: number
    mapping?: FieldMapping
    /** sourcePath is an upload kept for re-scoring: deleted with the batch. */
    keptUpload?: boolean
  }): void
  /** The file a batch was scored from and how its columns were mapped; null when unknown. */
  source(batchId: string): { path: string; mapping: FieldMapping; keptUpload: boolean } | null
  setDomain(batchId: string, domain: BatchDomainCheck): void
  setFileModel(batchId: string, fileModel: BatchFileModel): void
  /** One scored chunk: its queue rows and its bad rows, in one transaction. */
  addChunk(batchId: string, anomalies: readonly AnomalyParams[], badRows: readonly BadRow[]): void
  /** Where the batch's scored rows that are not in the queue are kept (see scoredRowsPath). */
  rowsFile(batchId: string): string
  finish(batchId: string, counts: { rows: number; badRows: number }): void
  /**
   * Cancelled, failed or deleted: the batch and everything scored for it go (its rows
   * file and kept upload too; `keepSource` leaves the upload to a batch that replaces it).
   */
  remove(batchId: string, options?: { keepSource?: boolean }): void
  /** The name the queue's file picker and the Score view show; false when there is no such finished batch. */
  rename(batchId: string, name: string): boolean
  /** Batches a crash left half-scored; called when the store opens. */
  discardUnfinished(): number
  list(): LocalBatch[]
  badRows(batchId: string, offset: number, limit: number): BadRowsPage
  rememberedMapping(headers: readonly string[]): FieldMapping | null
  rememberMapping(headers: readonly string[], mapping: FieldMapping, now: number): void
}

/** A bad row of a scored file (also run by the scoring core's writer connection). */
export const INSERT_BAD_ROW_SQL = 'INSERT INTO local_batch_errors (batch_id, line, field, reason) VALUES (?, ?, ?, ?)'

const BATCH_ID = /^local_[0-9a-f-]{36}$/

/**
 * The scored rows of a local batch that are not in the triage queue (most of a file:
 * rows below the alert threshold) live in a CSV beside the cache, not in the indexed
 * anomalies table; the export merges both back in file order.
 */
export function scoredRowsPath(db: Database.Database, batchId: string): string {
  if (!BATCH_ID.test(batchId)) throw new Error(`not a local batch id: ${batchId}`)
  const dir = db.memory ? join(tmpdir(), `anomalyze-scored-rows-${process.pid}`) : join(dirname(db.name), 'scored-rows')
  return join(dir, `${batchId}.csv`)
}

/** The key of a header row: normalised names, so "Amount" and "amount " share a mapping. */
export function headerKey(headers: readonly string[]): string {
  return JSON.stringify(headers.map(normaliseHeader))
}

export function createLocalBatches(db: Database.Database): LocalBatches {
  const insertBatch = db.prepare<[string, string, string | null, string, number, string | null, number]>(
    "INSERT INTO local_batches (id, name, source_path, model_version, created_at, mapping_json, kept_upload, state) VALUES (?, ?, ?, ?, ?, ?, ?, 'running')",
  )
  const readSource = db.prepare<[string], { source_path: string | null; mapping_json: string | null; kept_upload: number }>(
    'SELECT source_path, mapping_json, kept_upload FROM local_batches WHERE id = ?',
  )
  const writeDomain = db.prepare<[string, string]>('UPDATE local_batches SET domain_json = ? WHERE id = ?')
  const writeFileModel = db.prepare<[string, string]>('UPDATE local_batches SET file_model_json = ? WHERE id = ?')
  const upsert = db.prepare<[AnomalyParams]>(UPSERT_ANOMALY_SQL)
  const insertError = db.prepare<[string, number, string, string]>(INSERT_BAD_ROW_SQL)
  const finishBatch = db.prepare<[number, number, string]>("UPDATE local_batches SET row_count = ?, bad_row_count = ?, state = 'done' WHERE id = ?")
  const deleteAnomalies = db.prepare<[string]>('DELETE FROM anomalies WHERE batch_id = ?')
  const deleteOutbox = db.prepare<[string]>('DELETE FROM outbox WHERE local_only = 1 AND anomaly_id IN (SELECT id FROM anomalies WHERE batch_id = ?)')
  const deleteBatch = db.prepare<[string]>('DELETE FROM local_batches WHERE id = ?')
  const renameBatch = db.prepare<[string, string]>("UPDATE local_batches SET name = ? WHERE id = ? AND state = 'done'")
  const listBatches = db.prepare<
    [],
    {
      id: string
      name: string
      row_count: number
      alert_count: number
      bad_row_count: number
      model_version: string | null
      created_at: number
      source_path: string | null
      mapping_json: string | null
      domain_json: string | null
      file_model_json: string | null
    }
  >(
    // The alert count comes from the queue rows themselves (index led by batch_id).
    `SELECT id, name, row_count, (SELECT COUNT(*) FROM anomalies a WHERE a.batch_id = b.id) AS alert_count, bad_row_count, model_version, created_at,
       source_path, mapping_json, domain_json, file_model_json
     FROM local_batches b WHERE state = 'done' ORDER BY created_at DESC, id`,
  )
  const unfinished = db.prepare<[], { id: string }>("SELECT id FROM local_batches WHERE state = 'running'")
  const countErrors = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM local_batch_errors WHERE batch_id = ?')
  const pageErrors = db.prepare<[string, number, number], BadRow>(
    'SELECT line, field, reason FROM local_batch_errors WHERE batch_id = ? ORDER BY line, rowid LIMIT ? OFFSET ?',
  )
  const readMapping = db.prepare<[string], { mapping_json: string }>('SELECT mapping_json FROM column_mappings WHERE header_key = ?')
  const writeMapping = db.prepare<[string, string, number]>(
    'INSERT INTO column_mappings (header_key, mapping_json, updated_at) VALUES (?, ?, ?) ON CONFLICT (header_key) DO UPDATE SET mapping_json = excluded.mapping_json, updated_at = excluded.updated_at',
  )

  const addChunk = writeTransaction(db, (batchId: string, anomalies: readonly AnomalyParams[], badRows: readonly BadRow[]) => {
    for (const a of anomalies) upsert.run(a)
    for (const b of badRows) insertError.run(batchId, b.line, b.field, b.reason)
  })
  const removeRows = writeTransaction(db, (batchId: string) => {
    deleteOutbox.run(batchId)
    deleteAnomalies.run(batchId)
    deleteBatch.run(batchId)
  })
  // The file first: if the app dies in between, the batch is still 'running' and the
  // next start removes what is left.
  const remove = (batchId: string, options: { keepSource?: boolean } = {}): void => {
    if (BATCH_ID.test(batchId)) rmSync(scoredRowsPath(db, batchId), { force: true })
    const source = readSource.get(batchId)
    if (options.keepSource !== true && source?.kept_upload === 1 && source.source_path !== null) rmSync(source.source_path, { force: true })
    removeRows(batchId)
  }

  return {
    create: ({ id, name, sourcePath, modelVersion, now, mapping, keptUpload }) => {
      insertBatch.run(id, name, sourcePath, modelVersion, now, mapping === undefined ? null : JSON.stringify(mapping), keptUpload === true ? 1 : 0)
    },
    source: (batchId) => {
      const row = readSource.get(batchId)
      if (row === undefined || row.source_path === null || row.mapping_json === null) return null
      return { path: row.source_path, mapping: JSON.parse(row.mapping_json) as FieldMapping, keptUpload: row.kept_upload === 1 }
    },
    setDomain: (batchId, domain) => {
      writeDomain.run(JSON.stringify(domain), batchId)
    },
    setFileModel: (batchId, fileModel) => {
      writeFileModel.run(JSON.stringify(fileModel), batchId)
    },
    addChunk: (batchId, anomalies, badRows) => addChunk(batchId, anomalies, badRows),
    rowsFile: (batchId) => scoredRowsPath(db, batchId),
    finish: (batchId, counts) => {
      finishBatch.run(counts.rows, counts.badRows, batchId)
    },
    remove: (batchId, options) => remove(batchId, options),
    rename: (batchId, name) => renameBatch.run(name, batchId).changes === 1,
    discardUnfinished: () => {
      const ids = unfinished.all().map((r) => r.id)
      for (const id of ids) remove(id)
      return ids.length
    },
    list: () =>
      listBatches.all().map((b) => ({
        id: b.id,
        name: b.name,
        rowCount: b.row_count,
        alertCount: b.alert_count,
        badRowCount: b.bad_row_count,
        modelVersion: b.model_version,
        createdAt: b.created_at,
        domain: b.domain_json === null ? null : (JSON.parse(b.domain_json) as BatchDomainCheck),
        fileModel: b.file_model_json === null ? null : (JSON.parse(b.file_model_json) as BatchFileModel),
        hasLabels: b.mapping_json !== null && (JSON.parse(b.mapping_json) as FieldMapping).label !== undefined,
        refittable: b.source_path !== null && b.mapping_json !== null && existsSync(b.source_path),
      })),
    badRows: (batchId, offset, limit) => ({ total: countErrors.get(batchId)?.n ?? 0, rows: pageErrors.all(batchId, limit, offset) }),
    rememberedMapping: (headers) => {
      const row = readMapping.get(headerKey(headers))
      return row === undefined ? null : (JSON.parse(row.mapping_json) as FieldMapping)
    },
    rememberMapping: (headers, mapping, now) => {
      writeMapping.run(headerKey(headers), JSON.stringify(mapping), now)
    },
  }
}
