import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { AppError } from '@anomalyze/shared'
import { buildFeatureMatrix, DEFAULT_FEATURE_CONFIG, trainWithFeedback } from '@anomalyze/shared/engine'
import { MANIFEST_FILE, ONNX_FILE, saveModelArtifact, TREES_FILE } from '@anomalyze/shared/node'
import type { Prisma } from '../../db/prisma.ts'
import type { WorkerDeps } from '../service-deps.ts'
import { recordAudit } from '../audit/record-audit.ts'
import { activateModel } from '../models/activate-model.ts'
import { nextModelVersion, registerModel } from '../models/register-model.ts'
import { evaluateCandidate, type EvaluationReport } from './evaluate-candidate.ts'
import { loadTrainingSet } from './load-training-set.ts'

/** Fewest analyst decisions of each kind a retraining needs (below that it says so and stops). */
export const MIN_CONFIRMED_FRAUDS = 5
export const MIN_FALSE_POSITIVES = 5
/** The latest share of transactions, by time, kept out of training to compare the models. */
export const HOLDOUT_FRACTION = 0.25

type Deps = Pick<WorkerDeps, 'db' | 'storage' | 'models' | 'log'>

/** A reason the user can act on; the job ends FAILED with it and the current model stays. */
class TrainingRefused extends Error {}

/**
 * Runs one TrainingJob: the user's transactions and decisions, features replayed in
 * time order (confirmed frauds feed merchant risk as they would have live), a model
 * trained on all but the latest HOLDOUT_FRACTION, evaluated against the current
 * model on that latest part, registered as the next minor version, and activated
 * only when it wins on average precision. Every outcome is on the job row.
 */
export async function runTraining(deps: Deps, trainingJobId: string): Promise<void> {
  const { db, log } = deps
  const job = await db.trainingJob.findUnique({ where: { id: trainingJobId } })
  if (!job || job.status === 'COMPLETED' || job.status === 'FAILED') return
  const { orgId } = job
  const progress = (value: number) => db.trainingJob.update({ where: { id: job.id }, data: { progress: value } })
  await db.trainingJob.update({ where: { id: job.id }, data: { status: 'PROCESSING', startedAt: new Date(), progress: 1 } })
  const started = Date.now()
  try {
    const current = await deps.models.activeFor(db, orgId)
    const set = await loadTrainingSet(db, orgId)
    await progress(20)
    if (set.frauds < MIN_CONFIRMED_FRAUDS || set.falsePositives < MIN_FALSE_POSITIVES) {
      throw new TrainingRefused(
        `Too few labels to retrain: ${set.frauds} confirmed fraud and ${set.falsePositives} false positive decisions; ` +
          `retraining needs at least ${MIN_CONFIRMED_FRAUDS} of each. The current model (${current.version}) stays active.`,
      )
    }
    const matrix = buildFeatureMatrix(
      set.transactions.map((transaction, i) => ({ transaction, isFraud: set.decisions[i] === 'CONFIRMED_FRAUD' })),
      DEFAULT_FEATURE_CONFIG,
    )
    await progress(40)
    const labels = matrix.labels ?? new Uint8Array(matrix.count)
    const decided = Uint8Array.from(set.decisions, (d) => (d === null ? 0 : 1))
    const split = Math.floor(matrix.count * (1 - HOLDOUT_FRACTION))
    const trainFrauds = labels.subarray(0, split).reduce((a, b) => a + b, 0)
    const holdoutFrauds = labels.subarray(split).reduce((a, b) => a + b, 0)
    if (trainFrauds < MIN_CONFIRMED_FRAUDS || holdoutFrauds === 0) {
      throw new TrainingRefused(
        `Labels are too unevenly spread in time to train and evaluate: ${trainFrauds} confirmed frauds before and ${holdoutFrauds} in the ` +
          `latest ${Math.round(HOLDOUT_FRACTION * 100)}% of transactions (held out for evaluation); confirm frauds in both periods. ` +
          `The current model (${current.version}) stays active.`,
      )
    }
    const trained = trainWithFeedback(matrix.rows, { labels, decided, holdoutFraction: HOLDOUT_FRACTION })
    await progress(75)
    const version = await nextModelVersion(db, orgId)
    const report: EvaluationReport = evaluateCandidate(
      matrix.rows,
      set.decisions,
      set.transactions.map((t) => t.timestamp),
      trained.split,
      { version: current.version, model: current.loaded.model },
      { version, model: trained.model },
    )
    const dir = await mkdtemp(path.join(os.tmpdir(), 'anomalyze-train-'))
    try {
      const first = set.transactions[0]?.timestamp
      await saveModelArtifact(dir, trained.model, {
        version,
        metrics: trained.metrics,
        training: {
          source: `user transactions and analyst decisions (training job ${job.id})`,
          rows: trained.split,
          frauds: trainFrauds,
          from: first === undefined ? null : new Date(first).toISOString(),
          to: report.holdout.from,
        },
      })
      const files = {
        manifest: await readFile(path.join(dir, MANIFEST_FILE)),
        onnx: await readFile(path.join(dir, ONNX_FILE)),
        trees: await readFile(path.join(dir, TREES_FILE)),
      }
      const system = { orgId, actor: 'system' }
      const metrics = {
        holdoutAveragePrecision: report.candidate.averagePrecision,
        precisionAtBudget: report.candidate.precisionAtBudget,
        recallAtBudget: report.candidate.recallAtBudget,
        falsePositivesPer1000: report.candidate.falsePositivesPer1000,
        falsePositivePatternsSuppressed: report.falsePositivePatterns.all.nowBelowThreshold,
        comparedWith: report.current.version,
      }
      const registered = await registerModel(db, deps.storage, system, files, { metrics })
      await progress(90)
      const decision = report.candidateWins ? 'activated' : 'waiting'
      if (report.candidateWins) await activateModel(db, deps, system, version, { reason: 'auto-after-training' })
      const fullReport = { ...report, decision, trainingSeconds: (Date.now() - started) / 1000 }
      await db.$transaction(async (tx) => {
        await tx.trainingJob.update({
          where: { id: job.id },
          data: {
            status: 'COMPLETED',
            progress: 100,
            completedAt: new Date(),
            modelArtifactId: registered.id,
            report: fullReport as unknown as Prisma.InputJsonObject,
          },
        })
        await recordAudit(tx, system, {
          action: 'model.training',
          entityType: 'TrainingJob',
          entityId: job.id,
          oldData: { version: current.version, averagePrecision: report.current.averagePrecision },
          newData: { version, averagePrecision: report.candidate.averagePrecision, decision },
        })
      })
      log.info(
        { orgId, trainingJobId: job.id, version, decision, ap: report.candidate.averagePrecision, currentAp: report.current.averagePrecision },
        'training finished',
      )
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  } catch (error) {
    const reason =
      error instanceof TrainingRefused || error instanceof AppError
        ? error.message
        : `Training failed: ${error instanceof Error ? error.message : String(error)}`
    await db.trainingJob.update({ where: { id: job.id }, data: { status: 'FAILED', failureReason: reason, completedAt: new Date() } })
    await recordAudit(
      db,
      { orgId, actor: 'system' },
      { action: 'model.training', entityType: 'TrainingJob', entityId: job.id, newData: { decision: 'failed', reason } },
    )
    log.warn({ orgId, trainingJobId: job.id, reason }, 'training did not produce a model')
  }
}
