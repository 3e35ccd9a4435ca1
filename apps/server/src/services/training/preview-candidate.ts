import { AppError } from '@anomalyze/shared'
import {
  buildFeatureMatrix,
  FEATURE_NAMES,
  scoreFeatureBatch,
  severityOf,
  type AnomalyModel,
  type FeatureConfig,
  type SeverityThresholds,
} from '@anomalyze/shared/engine'
import type { Db } from '../../db/prisma.ts'
import type { Logger } from '../../logger.ts'
import type { ObjectStore } from '../../storage/object-store.ts'
import type { ModelRegistry } from '../models/model-registry.ts'
import { loadTrainingSet, type TrainingSet } from './load-training-set.ts'
import { getArtifactFiles } from '../models/model-files.ts'
import { compareAlertQueues, type PreviewRow, type QueueComparison } from './preview-candidate-compare.ts'
import { verifyArtifact } from '../models/verify-artifact.ts'
import { SHIPPED_DEFAULT_ID } from '../models/list-models.ts'
import { DEFAULT_MODEL_VERSION } from '../models/model-registry.ts'
import { compareModels, type ModelComparison } from './model-comparison.ts'

/** The preview scores the transactions of the last PREVIEW_DAYS before the user's latest one... */
export const PREVIEW_DAYS = 30
/** ...and at most this many of them (the most recent), so a large account answers in seconds. */
export const PREVIEW_MAX_ROWS = 20_000
export const PREVIEW_DEFAULT_LIMIT = 20

const DAY_MS = 86_400_000

interface Side {
  version: string
  model: AnomalyModel
}

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
async function loadVerified(storage: ObjectStore, row: ArtifactRow, role: 'candidate' | 'active model'): Promise<Side> {
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
): Promise<Side> {
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

/** First index of the window: the last PREVIEW_DAYS, capped to the last PREVIEW_MAX_ROWS. */
function windowStart(timestamps: readonly number[]): { start: number; boundedBy: 'days' | 'rows' } {
  const n = timestamps.length
  const last = timestamps[n - 1]
  if (last === undefined) return { start: 0, boundedBy: 'days' }
  const from = last - PREVIEW_DAYS * DAY_MS
  // Binary search: timestamps are in time order (loadTrainingSet sorts them).
  let lo = 0
  let hi = n
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((timestamps[mid] as number) > from) hi = mid
    else lo = mid + 1
  }
  return n - lo > PREVIEW_MAX_ROWS ? { start: n - PREVIEW_MAX_ROWS, boundedBy: 'rows' } : { start: lo, boundedBy: 'days' }
}

/**
 * Features of the window rows under `config`, computed exactly as training computes
 * them: the user's whole history replayed in time order, confirmed frauds fed back
 * into the account and merchant state. Only the window's rows are returned.
 */
function windowFeatures(set: TrainingSet, config: FeatureConfig, start: number): Float32Array {
  const matrix = buildFeatureMatrix(
    set.transactions.map((transaction, i) => ({ transaction, isFraud: set.decisions[i] === 'CONFIRMED_FRAUD' })),
    config,
  )
  return matrix.rows.subarray(start * FEATURE_NAMES.length)
}

/**
 * Before/after of the user's alert queue if `modelId` were activated: the recent
 * transactions scored by the active model and by the candidate, compared by
 * compareAlertQueues. Read-only: nothing is stored or activated.
 */
export async function previewCandidate(
  db: Db,
  { storage, models }: { storage: ObjectStore; models: ModelRegistry },
  orgId: string,
  modelId: string,
  options: { limit?: number | undefined; log?: Pick<Logger, 'info'> | undefined } = {},
): Promise<CandidatePreview> {
  const started = Date.now()
  const activeRow = await db.modelArtifact.findFirst({ where: { orgId, isActive: true }, select: { id: true, version: true, s3Path: true, sha256: true } })
  const candidate = await loadCandidate(db, { storage, models }, orgId, modelId, activeRow?.id ?? null)
  const current: Side = activeRow
    ? await loadVerified(storage, activeRow, 'active model')
    : await models.activeFor(db, orgId).then((m) => ({ version: m.version, model: m.loaded.model }))
  const org = await db.organization.findUniqueOrThrow({ where: { id: orgId }, select: { alertBudgetPerDay: true } })

  const set = await loadTrainingSet(db, orgId)
  const timestamps = set.transactions.map((t) => t.timestamp)
  const { start, boundedBy } = windowStart(timestamps)
  const sameConfig = JSON.stringify(current.model.featureConfig) === JSON.stringify(candidate.model.featureConfig)
  // Each model reads features computed with its own configuration, as scoring does.
  const currentRows = windowFeatures(set, current.model.featureConfig, start)
  const candidateRows = sameConfig ? currentRows : windowFeatures(set, candidate.model.featureConfig, start)
  const beforeScores = scoreFeatureBatch(current.model, currentRows)
  const afterScores = scoreFeatureBatch(candidate.model, candidateRows)

  const rows: PreviewRow[] = []
  for (let i = start; i < set.transactions.length; i += 1) {
    const tx = set.transactions[i]!
    const before = beforeScores[i - start] ?? 0
    const after = afterScores[i - start] ?? 0
    rows.push({
      txId: tx.txId,
      merchantId: tx.merchantId,
      amount: tx.amount,
      currency: tx.currency,
      timestamp: tx.timestamp,
      decision: set.decisions[i] ?? null,
      before: { score: before, severity: severityOf(current.model.thresholds, before) },
      after: { score: after, severity: severityOf(candidate.model.thresholds, after) },
    })
  }
  const comparison = compareAlertQueues(rows, options.limit ?? PREVIEW_DEFAULT_LIMIT)
  const figures = compareModels(
    {
      labels: Uint8Array.from(rows, (r) => (r.decision === 'CONFIRMED_FRAUD' ? 1 : 0)),
      timestamps: rows.map((r) => r.timestamp),
      accountIds: set.transactions.slice(start).map((t) => t.accountId),
    },
    { version: current.version, scores: beforeScores, threshold: current.model.thresholds.medium },
    { version: candidate.version, scores: afterScores, threshold: candidate.model.thresholds.medium },
    org.alertBudgetPerDay,
  )
  const computedMs = Date.now() - started
  options.log?.info(
    {
      orgId,
      candidate: candidate.version,
      current: current.version,
      rows: rows.length,
      history: set.transactions.length,
      computedMs,
      droppedOut: comparison.droppedOut,
      newAlerts: comparison.newAlerts,
    },
    'candidate model preview',
  )
  return {
    current: { version: current.version, thresholds: current.model.thresholds },
    candidate: { version: candidate.version, thresholds: candidate.model.thresholds },
    window: {
      from: rows[0] ? new Date(rows[0].timestamp).toISOString() : null,
      to: rows.at(-1) ? new Date(rows.at(-1)!.timestamp).toISOString() : null,
      transactions: rows.length,
      boundedBy,
      maxDays: PREVIEW_DAYS,
      maxRows: PREVIEW_MAX_ROWS,
      historyReplayed: set.transactions.length,
    },
    ...comparison,
    comparison: figures,
    computedMs,
  }
}
