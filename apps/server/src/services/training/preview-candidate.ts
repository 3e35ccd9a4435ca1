import { AppError } from '@anomalyze/shared'
import type { AnomalyModel, SeverityThresholds } from '@anomalyze/shared/engine'
import { sqlPoolOf, type Db } from '../../db/prisma.ts'
import type { Logger } from '../../logger.ts'
import type { ObjectStore } from '../../storage/object-store.ts'
import type { ModelRegistry } from '../models/model-registry.ts'
import { getArtifactFiles } from '../models/model-files.ts'
import type { QueueComparison } from './preview-candidate-compare.ts'
import { verifyArtifact } from '../models/verify-artifact.ts'
import { SHIPPED_DEFAULT_ID } from '../models/list-models.ts'
import { DEFAULT_MODEL_VERSION } from '../models/model-registry.ts'
import type { ModelComparison } from './model-comparison.ts'
import { previewOnWorker, type PreviewRunOptions } from './preview-on-worker.ts'
import { PREVIEW_DAYS, PREVIEW_MAX_ROWS } from './preview-window.ts'
import type { PreviewSide } from './score-preview.ts'

export { PREVIEW_DAYS, PREVIEW_MAX_ROWS } from './preview-window.ts'
export const PREVIEW_DEFAULT_LIMIT = 20

export interface CandidatePreview extends QueueComparison {
  current: { version: string; thresholds: SeverityThresholds }
  candidate: { version: string; thresholds: SeverityThresholds }
  window: {
    /** ISO times of the first and last transaction scored; null when the user has none. */
    from: string | null
    to: string | null
    transactions: number
    /** What limited the window: the day span, or the row cap (then it covers fewer days). */
    boundedBy: 'days' | 'rows'
    maxDays: number
    maxRows: number
    /** Transactions replayed for the feature state (the whole history, as training does). */
    historyReplayed: number
  }
  /**
   * The figures of the training evaluation on this window: AP, AUC ROC and card
   * precision@k against the analysts' labels (null without a confirmed fraud), and the
   * alerts a day each would raise against the organisation's budget, with a warning
   * when the candidate raises it by more than 20%.
   */
  comparison: ModelComparison
  computedMs: number
}

interface ArtifactRow {
  version: string
  s3Path: string
  sha256: string
}

/**
 * Loads a registered version the way activation checks it: files present in
 * storage, sha256 of the .onnx as registered, manifest, feature list and ONNX
 * Runtime load (verifyArtifact). A failure is a CONFLICT naming the version and the
 * reason: a corrupt or mismatched artifact never yields a preview.
 */
async function loadVerified(storage: ObjectStore, row: ArtifactRow, role: 'candidate' | 'active model'): Promise<PreviewSide> {
  const refuse = (reason: string) => new AppError('CONFLICT', `Cannot preview: the ${role} ${row.version} ${reason}`, { field: 'modelId' })
  const files = await getArtifactFiles(storage, row.s3Path).catch((error: unknown) => {
    if (error instanceof AppError && error.code === 'NOT_FOUND') throw refuse('has files missing from storage')
    throw error
  })
  await verifyArtifact(files, row.sha256).catch((error: unknown) => {
    if (error instanceof AppError) throw refuse(`is unusable: ${error.message}`)
    throw error
  })
  // model.json was checked against the manifest's sha256 and format by verifyArtifact.
  return { version: row.version, model: JSON.parse(files.trees.toString('utf8')) as AnomalyModel }
}

/**
 * The version to preview: any registered version that is not the active one (a
 * candidate waiting for review, an older one, one that was not better), or the
 * shipped default (SHIPPED_DEFAULT_ID) while a registered version is active.
 */
async function loadCandidate(
  db: Db,
  { storage, models }: { storage: ObjectStore; models: ModelRegistry },
  orgId: string,
  modelId: string,
  activeId: string | null,
): Promise<PreviewSide> {
  if (modelId === SHIPPED_DEFAULT_ID) {
    if (activeId === null)
      throw new AppError('CONFLICT', 'The shipped default is already the active model: there is nothing to compare it with', { field: 'modelId' })
    return { version: DEFAULT_MODEL_VERSION, model: (await models.shipped()).loaded.model }
  }
  const row = await db.modelArtifact.findFirst({ where: { id: modelId, orgId }, select: { id: true, version: true, s3Path: true, sha256: true } })
  if (!row) throw new AppError('NOT_FOUND', `No model version with id ${modelId}`, { field: 'modelId' })
  if (row.id === activeId)
    throw new AppError('CONFLICT', `Model ${row.version} is already the active model: there is nothing to compare it with`, { field: 'modelId' })
  return loadVerified(storage, row, 'candidate')
}

/**
 * Before/after of the user's alert queue if `modelId` were activated: the recent
 * transactions scored by the active model and by the candidate, compared by
 * compareAlertQueues. Read-only: nothing is stored or activated.
 *
 * This thread keeps the checks that answer the caller at once (access, a version that
 * exists and is not the active one, both artifacts verified) and the log line; the
 * history's read, the feature replay and the scoring run on a worker thread
 * (preview-on-worker.ts), which holds the window, never the whole history.
 */
export async function previewCandidate(
  db: Db,
  { storage, models }: { storage: ObjectStore; models: ModelRegistry },
  orgId: string,
  modelId: string,
  options: {
    limit?: number | undefined
    log?: Pick<Logger, 'info'> | undefined
    /** Thread limits, timeout and progress (tests and benches; defaults in preview-on-worker.ts). */
    worker?: PreviewRunOptions | undefined
    /** Rows read per page (tests; default HISTORY_PAGE_ROWS). */
    pageRows?: number | undefined
  } = {},
): Promise<CandidatePreview> {
  const started = Date.now()
  const activeRow = await db.modelArtifact.findFirst({ where: { orgId, isActive: true }, select: { id: true, version: true, s3Path: true, sha256: true } })
  const candidate = await loadCandidate(db, { storage, models }, orgId, modelId, activeRow?.id ?? null)
  const current: PreviewSide = activeRow
    ? await loadVerified(storage, activeRow, 'active model')
    : await models.activeFor(db, orgId).then((m) => ({ version: m.version, model: m.loaded.model }))
  const org = await db.organization.findUniqueOrThrow({ where: { id: orgId }, select: { alertBudgetPerDay: true } })

  const databaseUrl = sqlPoolOf(db).options.connectionString
  if (!databaseUrl) throw new Error('the database connection has no URL to hand to the preview thread')

  // The history's read, the feature replay and both scorings run on their own thread.
  const { queue, comparison, window } = await previewOnWorker(
    { databaseUrl, orgId, current, candidate, budgetPerDay: org.alertBudgetPerDay, limit: options.limit ?? PREVIEW_DEFAULT_LIMIT, pageRows: options.pageRows },
    options.worker,
  )
  const computedMs = Date.now() - started
  options.log?.info(
    {
      orgId,
      candidate: candidate.version,
      current: current.version,
      rows: window.transactions,
      history: window.historyReplayed,
      computedMs,
      droppedOut: queue.droppedOut,
      newAlerts: queue.newAlerts,
    },
    'candidate model preview',
  )
  return {
    current: { version: current.version, thresholds: current.model.thresholds },
    candidate: { version: candidate.version, thresholds: candidate.model.thresholds },
    window: { ...window, maxDays: PREVIEW_DAYS, maxRows: PREVIEW_MAX_ROWS },
    ...queue,
    comparison,
    computedMs,
  }
}
