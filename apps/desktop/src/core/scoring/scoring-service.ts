import { randomUUID } from 'node:crypto'
import { rm, stat } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { AppError } from '@anomalyze/shared'
import { loadDefaultModel, loadModelArtifact, type LoadedModel, type OnnxScorer } from '@anomalyze/shared/node'
import { PROFILE_SAMPLE_ROWS, type FeatureConfig } from '@anomalyze/shared/engine'
import { existsSync } from 'node:fs'
import type { ExportArgs } from '../../contract/handlers.ts'
import type { CsvInspection, LocalBatch, RefitBatchArgs, ScoringAvailability, ScoringJob, ScoringSource, StartScoringArgs } from '../../contract/scoring.ts'
import type { LocalStore } from '../store/local-store.ts'
import { inspectCsv } from './inspect-csv.ts'
import { readMappedRows, scoreCsvFile } from './score-csv-file.ts'
import { collectAllRows, collectSampledRows } from './file-rows-collector.ts'
import { checkBatchDomain } from './batch-domain.ts'
import { fitFileModel, withFittedScores } from './fit-file-model.ts'
import { openAlertWriter, type AlertWriter } from './alert-writer.ts'
import { openScoredRowsWriter, quietRowsHeader, type ScoredRowsWriter } from './scored-rows-file.ts'
import { mappingErrors } from '../../contract/mapping-errors.ts'
import { ensurePrivateDirAsync, openPrivateWriteStream } from '@anomalyze/shared/node'
import { writeBatchCsv } from './export-batch.ts'
import { createRulesInForce } from '../rules/rules-in-force.ts'

/** The model the console scores with, and the version it writes on every row. */
export interface ActiveLocalModel {
  version: string
  loaded: LoadedModel
}

export interface ScoringServiceOptions {
  store: LocalStore
  /** Uploaded files (browser mode) are written here, inside the core's data dir. */
  uploadsDir: string
  /** Scored CSVs exported under a file name go here, inside the core's data dir. */
  exportsDir: string
  /** Defaults to the shipped model; a synced model will plug in here. */
  loadModel?: () => Promise<ActiveLocalModel>
  /** Where the alert writer's worker entry is (a bundle's copy); default: beside alert-writer.ts. */
  alertWriterWorker?: URL
  now?: () => number
}

export interface ScoringService {
  availability(): Promise<ScoringAvailability>
  /** Streams an upload to a file in the uploads dir; returns its id. */
  receiveUpload(body: Readable, fileName: string): Promise<{ uploadId: string; sizeBytes: number }>
  inspect(source: ScoringSource): Promise<CsvInspection>
  /** The file on this machine behind a source, and the name the analyst knows it by. */
  resolveFile(source: ScoringSource): { path: string; name: string }
  /**
   * A path the analyst picked in a native dialog (Electron's main process calls this
   * when the dialog returns): 'read' lets inspect/score/upload read it, 'write' lets
   * export write it. Other paths are refused (see resolveSource and exportBatch).
   */
  allowPath(path: string, use: 'read' | 'write'): void
  /** Writes a batch's scored CSV to a picked path or a named file in the exports folder. */
  exportBatch(args: ExportArgs): Promise<{ path: string; rows: number }>
  start(args: StartScoringArgs): Promise<ScoringJob>
  /**
   * Re-scores a scored file with a model fitted on the file itself (see FileModelKind):
   * reads it again, fits, scores it through the usual pipeline into a new batch that
   * replaces the old one (same name) once done. A job like start's, with progress.
   */
  refit(args: RefitBatchArgs): Promise<ScoringJob>
  job(jobId: string): ScoringJob
  cancel(jobId: string): ScoringJob
  batches(): LocalBatch[]
  renameBatch(batchId: string, name: string): LocalBatch
  /** Deletes a scored file's batch: its queue rows, bad rows and scored-rows file. Not while it is being scored. */
  deleteBatch(batchId: string): { deleted: LocalBatch }
  /** Resolves when the job has ended (tests, bench, CLI). */
  settled(jobId: string): Promise<ScoringJob>
  /** The feature settings of the model scoring uses (a local backtest replays files with them). */
  featureConfig(): Promise<FeatureConfig>
  /** Version scoring uses now, or null before the first load. */
  modelVersion(): Promise<string | null>
  /** Switches to a model synced from the server; a running job finishes with the old one. */
  useModel(next: ActiveLocalModel): Promise<void>
  close(): Promise<void>
}

const UPLOAD_ID = /^[0-9a-f-]{36}$/
/** A file-fitted model holds every row's features in memory (about 200 bytes a row). */
export const MAX_REFIT_ROWS = 2_000_000

/**
 * Offline CSV scoring, owned by the core: uploads, mapping proposals (remembered per
 * header row), one scoring job at a time with progress and cancel, and results stored
 * as a local batch in the same table as synced anomalies. Nothing here talks to the
 * server.
 */
export function createScoringService(options: ScoringServiceOptions): ScoringService {
  const { store, uploadsDir, exportsDir } = options
  // Paths picked in native dialogs: the only outside files the core reads or writes.
  const picked = { read: new Set<string>(), write: new Set<string>() }
  const now = options.now ?? Date.now
  const uploadNames = new Map<string, string>()
  // The rule set in force as last synced (the built-in set before any sync).
  const rulesInForce = createRulesInForce(store)
  const jobs = new Map<string, { job: ScoringJob; controller: AbortController; done: Promise<ScoringJob> }>()
  let model: Promise<ActiveLocalModel> | null = null
  // Per loaded model, a second ONNX session on a worker thread for file scoring, so the
  // model scores one chunk while this thread reads the next and stores the last (the
  // CLI's pipelining). Started when a file is opened; null when a worker cannot start
  // here (e.g. a bundle without the worker entry): scoring then runs in this thread.
  const workerScorers = new Map<LoadedModel, Promise<OnnxScorer | null>>()
  const fileScoringModel = async (loaded: LoadedModel): Promise<LoadedModel> => {
    let scorer = workerScorers.get(loaded)
    if (scorer === undefined) {
      // Loaded again from its folder: the same checks (manifest, hashes) as the first load.
      scorer = loadModelArtifact(loaded.dir, { worker: true }).then(
        (m) => m.scorer,
        () => null,
      )
      workerScorers.set(loaded, scorer)
    }
    const worker = await scorer
    return worker === null ? loaded : { ...loaded, scorer: worker }
  }
  const releaseModel = async (loaded: LoadedModel): Promise<void> => {
    const worker = workerScorers.get(loaded)
    workerScorers.delete(loaded)
    await Promise.all([loaded.scorer.close(), worker?.then((w) => w?.close())])
  }

  const loadModel = (): Promise<ActiveLocalModel> => {
    model ??= (options.loadModel ?? defaultLocalModel)().catch((error: unknown) => {
      // A failed load is retried next time instead of being remembered forever.
      model = null
      throw error
    })
    return model
  }

  const resolveSource = (source: ScoringSource): { path: string; name: string; upload: boolean } => {
    if ('path' in source) {
      const path = resolve(source.path)
      if (!picked.read.has(path)) {
        throw new AppError('FORBIDDEN', `${source.path} was not picked in this console: choose the file with "Choose a CSV file…" or drop it on the page`, {
          path: source.path,
        })
      }
      return { path, name: basename(path), upload: false }
    }
    if (!UPLOAD_ID.test(source.uploadId)) throw new AppError('BAD_INPUT', 'not an upload id')
    return { path: join(uploadsDir, `${source.uploadId}.csv`), name: uploadNames.get(source.uploadId) ?? 'upload.csv', upload: true }
  }

  const running = (): ScoringJob | undefined => [...jobs.values()].find((j) => j.job.state === 'running')?.job

  return {
    async availability() {
      try {
        const m = await loadModel()
        return { available: true, reason: null, modelVersion: m.version }
      } catch (error) {
        return { available: false, modelVersion: null, reason: `The scoring model cannot be loaded: ${error instanceof Error ? error.message : String(error)}` }
      }
    },

    async receiveUpload(body, fileName) {
      await ensurePrivateDirAsync(uploadsDir)
      const uploadId = randomUUID()
      const path = join(uploadsDir, `${uploadId}.csv`)
      // Opened before the body flows (a 'data' listener starts it): no chunk is lost.
      const out = await openPrivateWriteStream(path, 'wx')
      let sizeBytes = 0
      body.on('data', (chunk: Buffer) => {
        sizeBytes += chunk.length
      })
      try {
        await pipeline(body, out)
      } catch (error) {
        await rm(path, { force: true })
        throw error
      }
      uploadNames.set(uploadId, basename(fileName).slice(0, 200) || 'upload.csv')
      return { uploadId, sizeBytes }
    },

    resolveFile(source) {
      const { path, name } = resolveSource(source)
      return { path, name }
    },

    allowPath(path, use) {
      picked[use].add(resolve(path))
    },

    async exportBatch(args) {
      let path: string
      let flags: 'w' | 'wx'
      if ('path' in args) {
        path = resolve(args.path)
        if (picked.write.has(path))
          flags = 'w' // the save dialog asked about replacing it
        else if (dirname(path) === resolve(exportsDir)) {
          exportFileName(basename(path))
          flags = 'wx'
        } else {
          throw new AppError(
            'FORBIDDEN',
            `${args.path} was not picked in a save dialog: exports go to ${exportsDir} (give a file name) or to a path chosen with "Export scored CSV…"`,
            { path: args.path },
          )
        }
      } else {
        path = join(exportsDir, exportFileName(args.fileName))
        flags = args.overwrite === true ? 'w' : 'wx'
      }
      // The batch first, so an unknown id leaves no empty file behind.
      if (!store.batches.list().some((b) => b.id === args.batchId)) throw new AppError('NOT_FOUND', `no local batch ${args.batchId}`)
      if (dirname(path) === resolve(exportsDir)) await ensurePrivateDirAsync(exportsDir)
      const out = await openPrivateWriteStream(path, flags).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EEXIST')
          throw new AppError('CONFLICT', `${path} already exists: export under another name, or pass overwrite: true to replace it`, { path })
        throw new AppError('BAD_INPUT', `cannot write ${path}: ${error.code ?? error.message}`, { path })
      })
      try {
        return { path, rows: await writeBatchCsv(store.db, args.batchId, out) }
      } catch (error) {
        out.destroy()
        await rm(path, { force: true })
        throw error
      }
    },

    async inspect(source) {
      const { path, name } = resolveSource(source)
      const inspection = await inspectCsv(path, (headers) => store.batches.rememberedMapping(headers), name)
      // Likely scored next: the worker starts while the analyst checks the mapping.
      void loadModel().then(
        (m) => fileScoringModel(m.loaded),
        () => undefined,
      )
      return { ...inspection, fileName: name }
    },

    async start(args) {
      const busy = running()
      if (busy !== undefined) throw new AppError('CONFLICT', `"${busy.name}" is still being scored; cancel it or wait`)
      const { path, name, upload } = resolveSource(args.source)
      const inspection = await inspectCsv(path, () => null, name)
      const errors = mappingErrors(args.mapping, inspection.headers.length)
      if (errors.length > 0) throw new AppError('BAD_INPUT', `${name}: the column mapping is not usable: ${errors.join('; ')}`)
      const active = await loadModel()
      // Taken once: a sync storing a new set meanwhile applies to the next file.
      const rules = rulesInForce.current()
      const batchId = `local_${randomUUID()}`
      const job: ScoringJob = {
        jobId: randomUUID(),
        batchId,
        name: args.name?.trim() || name,
        state: 'running',
        rowsRead: 0,
        scored: 0,
        alerts: 0,
        badRowCount: 0,
        fraction: 0,
        badRows: [],
        error: null,
        modelVersion: active.version,
        startedAt: now(),
        finishedAt: null,
        kind: 'score',
        stage: null,
      }
      // The analyst confirmed this mapping: the next file with these headers gets it.
      store.batches.rememberMapping(inspection.headers, args.mapping, now())
      // An upload stays as the batch's source (deleted with it), so it can be re-scored with a file-fitted model.
      store.batches.create({
        id: batchId,
        name: job.name,
        sourcePath: path,
        modelVersion: active.version,
        now: now(),
        mapping: args.mapping,
        keptUpload: upload,
      })
      rulesInForce.cache.recordBatchVersion(batchId, rules.version)
      const controller = new AbortController()
      // A sample of the file's feature rows, for the domain check once it is scored.
      const sample = collectSampledRows(active.loaded.model.featureConfig, PROFILE_SAMPLE_ROWS)
      const run = async (): Promise<ScoringJob> => {
        let opened: ScoredRowsWriter | null = null
        let queue: AlertWriter | null = null
        try {
          const rowsFile = await openScoredRowsWriter(store.batches.rowsFile(batchId), quietRowsHeader(args.mapping, inspection.headers.length))
          opened = rowsFile
          const alertWriter = await openAlertWriter(store.db, batchId, store.batches, options.alertWriterWorker)
          queue = alertWriter
          const p = await scoreCsvFile({
            path,
            headers: inspection.headers,
            mapping: args.mapping,
            model: await fileScoringModel(active.loaded),
            modelVersion: active.version,
            batchId,
            ruleSet: rules.compiled,
            lists: rules.lists,
            signal: controller.signal,
            onRows: (rows) => sample.add(rows),
            // Alerts go to the queue (one transaction per chunk, on the writer's
            // thread); the other rows to the batch's file. Both overlap the model
            // scoring the next chunk.
            onChunk: async ({ alerts, quietRows, badRows }) => {
              const stored = alertWriter.add(alerts, badRows)
              // Awaited below, after the file writes; its failure must not go unhandled meanwhile.
              stored.catch(() => undefined)
              for (const piece of quietRows) await rowsFile.write(piece)
              await stored
            },
            onProgress: (p) => {
              Object.assign(job, {
                rowsRead: p.rowsRead,
                scored: p.scored,
                alerts: p.alerts,
                badRowCount: p.badRowCount,
                fraction: p.fraction,
                badRows: [...p.firstBadRows],
              })
            },
            now,
          })
          await Promise.all([alertWriter.close(), rowsFile.close()])
          store.batches.setDomain(batchId, checkBatchDomain(active.loaded.manifest.featureProfile, active.version, sample.result(), args.mapping))
          store.batches.finish(batchId, { rows: p.scored, badRows: p.badRowCount })
          Object.assign(job, { state: 'done', fraction: 1 })
        } catch (error) {
          // Cancelled or failed: a half-scored file is not left in the queue (nor its upload).
          await Promise.all([opened?.abort(), queue?.close().catch(() => undefined)])
          store.batches.remove(batchId)
          if (controller.signal.aborted) job.state = 'cancelled'
          else Object.assign(job, { state: 'failed', error: error instanceof Error ? error.message : String(error) })
        } finally {
          job.finishedAt = now()
        }
        return job
      }
      const done = run()
      jobs.set(job.jobId, { job, controller, done })
      return { ...job }
    },

    async refit({ batchId, kind }) {
      const busy = running()
      if (busy !== undefined) throw new AppError('CONFLICT', `"${busy.name}" is still being scored; cancel it or wait`)
      const batch = store.batches.list().find((b) => b.id === batchId)
      if (batch === undefined) throw new AppError('NOT_FOUND', 'no scored file with this id on this machine', { field: 'batchId' })
      const source = store.batches.source(batchId)
      if (source === null || !existsSync(source.path)) {
        throw new AppError('NOT_FOUND', `the file "${batch.name}" was scored from is no longer on this machine: score it again to fit a model on it`, {
          field: 'batchId',
        })
      }
      if (kind === 'file-labels' && source.mapping.label === undefined) {
        throw new AppError('BAD_INPUT', `"${batch.name}" has no label column mapped: score it again with its fraud label column mapped to train on it`, {
          field: 'kind',
        })
      }
      const inspection = await inspectCsv(source.path, () => null, batch.name)
      const active = await loadModel()
      const rules = rulesInForce.current()
      const newBatchId = `local_${randomUUID()}`
      const job: ScoringJob = {
        jobId: randomUUID(),
        batchId: newBatchId,
        name: batch.name,
        state: 'running',
        rowsRead: 0,
        scored: 0,
        alerts: 0,
        badRowCount: 0,
        fraction: 0,
        badRows: [],
        error: null,
        modelVersion: active.version,
        startedAt: now(),
        finishedAt: null,
        kind,
        stage: 'Reading the file',
      }
      const modelVersion = kind === 'file-forest' ? 'fitted on this file' : 'trained on this file'
      store.batches.create({
        id: newBatchId,
        name: batch.name,
        sourcePath: source.path,
        modelVersion,
        now: now(),
        mapping: source.mapping,
        keptUpload: source.keptUpload,
      })
      rulesInForce.cache.recordBatchVersion(newBatchId, rules.version)
      const controller = new AbortController()
      const size = Math.max(1, (await stat(source.path)).size)
      const run = async (): Promise<ScoringJob> => {
        let opened: ScoredRowsWriter | null = null
        let queue: AlertWriter | null = null
        try {
          // Pass 1: every good row's features, extras and label (the first half of the bar).
          const collector = collectAllRows(active.loaded.model.featureConfig, MAX_REFIT_ROWS)
          let bytes = 0
          const reading = { path: source.path, headers: inspection.headers, mapping: source.mapping, signal: controller.signal }
          for await (const rows of readMappedRows(reading, (n) => (bytes += n))) {
            collector.add(rows)
            job.fraction = Math.min(0.45, (0.45 * bytes) / size)
          }
          const collected = collector.result()
          job.stage = `${kind === 'file-forest' ? 'Fitting an isolation forest' : 'Training on the labels'} on ${collected.count.toLocaleString('en')} rows`
          // Lets a poll see the stage before the fit holds this thread.
          await new Promise((resolve) => setImmediate(resolve))
          const fitted = fitFileModel(kind, collected)
          if (controller.signal.aborted) throw new AppError('CONFLICT', 'cancelled')
          job.stage = 'Re-scoring the rows'
          job.fraction = 0.5
          // Pass 2: the usual pipeline (rules, queue rows, rows file) with the fitted scores.
          const rowsFile = await openScoredRowsWriter(store.batches.rowsFile(newBatchId), quietRowsHeader(source.mapping, inspection.headers.length))
          opened = rowsFile
          const alertWriter = await openAlertWriter(store.db, newBatchId, store.batches, options.alertWriterWorker)
          queue = alertWriter
          const p = await scoreCsvFile({
            path: source.path,
            headers: inspection.headers,
            mapping: source.mapping,
            model: withFittedScores(active.loaded, fitted),
            modelVersion,
            batchId: newBatchId,
            ruleSet: rules.compiled,
            lists: rules.lists,
            signal: controller.signal,
            explain: false,
            onChunk: async ({ alerts, quietRows, badRows }) => {
              const stored = alertWriter.add(alerts, badRows)
              stored.catch(() => undefined)
              for (const piece of quietRows) await rowsFile.write(piece)
              await stored
            },
            onProgress: (progress) => {
              Object.assign(job, {
                rowsRead: progress.rowsRead,
                scored: progress.scored,
                alerts: progress.alerts,
                badRowCount: progress.badRowCount,
                fraction: 0.5 + progress.fraction / 2,
                badRows: [...progress.firstBadRows],
              })
            },
            now,
          })
          if (p.scored !== collected.count) throw new AppError('CONFLICT', `"${batch.name}" changed while it was re-scored; score it again`)
          await Promise.all([alertWriter.close(), rowsFile.close()])
          if (batch.domain !== null) store.batches.setDomain(newBatchId, batch.domain)
          store.batches.setFileModel(newBatchId, { kind, evaluation: fitted.evaluation, severityThresholds: fitted.severityThresholds, fittedAt: now() })
          store.batches.finish(newBatchId, { rows: p.scored, badRows: p.badRowCount })
          // The new batch owns the source now; the old one's queue rows and rows file go.
          store.batches.remove(batchId, { keepSource: true })
          Object.assign(job, { state: 'done', fraction: 1, stage: null })
        } catch (error) {
          await Promise.all([opened?.abort(), queue?.close().catch(() => undefined)])
          // The old batch still owns the source and stays as it was.
          store.batches.remove(newBatchId, { keepSource: true })
          if (controller.signal.aborted) job.state = 'cancelled'
          else Object.assign(job, { state: 'failed', error: error instanceof Error ? error.message : String(error) })
        } finally {
          job.finishedAt = now()
        }
        return job
      }
      const done = run()
      jobs.set(job.jobId, { job, controller, done })
      return { ...job }
    },

    job(jobId) {
      const entry = jobs.get(jobId)
      if (entry === undefined) throw new AppError('NOT_FOUND', 'no such scoring job')
      return { ...entry.job, badRows: [...entry.job.badRows] }
    },

    cancel(jobId) {
      const entry = jobs.get(jobId)
      if (entry === undefined) throw new AppError('NOT_FOUND', 'no such scoring job')
      entry.controller.abort()
      return { ...entry.job }
    },

    batches: () => store.batches.list(),

    renameBatch(batchId, name) {
      const trimmed = name.trim()
      if (trimmed === '') throw new AppError('BAD_INPUT', 'give the file a name', { field: 'name' })
      if (!store.batches.rename(batchId, trimmed)) throw new AppError('NOT_FOUND', 'no scored file with this id on this machine', { field: 'batchId' })
      return store.batches.list().find((b) => b.id === batchId) as LocalBatch
    },

    deleteBatch(batchId) {
      const batch = store.batches.list().find((b) => b.id === batchId)
      if (batch === undefined) {
        const busy = running()
        if (busy?.batchId === batchId) throw new AppError('CONFLICT', `"${busy.name}" is still being scored: cancel it instead`, { field: 'batchId' })
        throw new AppError('NOT_FOUND', 'no scored file with this id on this machine', { field: 'batchId' })
      }
      store.batches.remove(batchId)
      return { deleted: batch }
    },

    async settled(jobId) {
      const entry = jobs.get(jobId)
      if (entry === undefined) throw new AppError('NOT_FOUND', 'no such scoring job')
      return { ...(await entry.done) }
    },

    async featureConfig() {
      return (await loadModel()).loaded.model.featureConfig
    },

    async modelVersion() {
      if (model === null) return null
      return (await model.catch(() => null))?.version ?? null
    },

    async useModel(next) {
      const previous = model
      model = Promise.resolve(next)
      if (previous === null) return
      const old = await previous.catch(() => null)
      if (old === null || old.loaded === next.loaded) return
      // The ONNX session of the old model goes once no job is scoring with it.
      const busy = running()
      const release = busy === undefined ? Promise.resolve() : (jobs.get(busy.jobId)?.done ?? Promise.resolve())
      void release.finally(() => releaseModel(old.loaded))
    },

    async close() {
      for (const entry of jobs.values()) entry.controller.abort()
      await Promise.all([...jobs.values()].map((e) => e.done))
      const last = model === null ? null : await model.catch(() => null)
      if (last !== null) await releaseModel(last.loaded)
    },
  }
}

/**
 * A file name the analyst gave for an export: one name inside the exports folder, never
 * a path (no separators, no "..", no hidden or control-character names); ".csv" added
 * when missing.
 */
export function exportFileName(raw: string): string {
  const name = raw.trim()
  // eslint-disable-next-line no-control-regex
  if (name === '' || /[/\\\u0000-\u001f]/.test(name) || name.includes('..') || name.startsWith('.') || name.length > 200) {
    throw new AppError('BAD_INPUT', `"${raw.slice(0, 200)}" is not a usable file name: give a plain name such as "march-scored.csv" (no folders, no "..")`, {
      fileName: raw.slice(0, 200),
    })
  }
  return /\.csv$/i.test(name) ? name : `${name}.csv`
}

/** The shipped default model until the server gives this account one of its own. */
async function defaultLocalModel(): Promise<ActiveLocalModel> {
  const loaded = await loadDefaultModel()
  // Same version string as the server writes for the default model.
  return { version: `default@${loaded.manifest.version}`, loaded }
}
