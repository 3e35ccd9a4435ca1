import { AppError } from '@anomalyze/shared'
import { sqlPoolOf, type Prisma } from '../../db/prisma.ts'
import type { WorkerDeps } from '../service-deps.ts'
import { recordAudit } from '../audit/record-audit.ts'
import { activateModel } from '../models/activate-model.ts'
import { nextModelVersion, registerModel } from '../models/register-model.ts'
import { TrainingRefused } from './train-candidate.ts'
import { trainOnWorker, type WorkerRunOptions } from './train-on-worker.ts'

export { HOLDOUT_FRACTION, MIN_CONFIRMED_FRAUDS, MIN_FALSE_POSITIVES } from './train-candidate.ts'

type Deps = Pick<WorkerDeps, 'db' | 'storage' | 'models' | 'log'>

/** What became of a training's candidate (TrainingJob.report.decision). */
export type TrainingDecision = 'activated' | 'waiting-for-review' | 'not-better' | 'failed'

export interface RunTrainingOptions extends Pick<WorkerRunOptions, 'limits' | 'onStage'> {
  /** Cap on the kept feature rows (tests and benches; default MAX_TRAINING_ROWS). */
  maxRows?: number | undefined
}

/**
 * Runs one TrainingJob. This (the API process) keeps the job row, the registry and
 * the audit; the history, features, training, evaluation and artifact files are the
 * training thread's (train-on-worker.ts), so the event loop keeps answering while a
 * large history trains. The candidate is registered as the next minor version and:
 * when it wins on average precision, activated if the organisation turned automatic
 * activation on, else left 'waiting-for-review' for an admin; when it does not win,
 * kept as 'not-better'. Every outcome, failures included, is on the job row.
 */
export async function runTraining(deps: Deps, trainingJobId: string, options: RunTrainingOptions = {}): Promise<void> {
  const { db, log } = deps
  const job = await db.trainingJob.findUnique({ where: { id: trainingJobId } })
  if (!job || job.status === 'COMPLETED' || job.status === 'FAILED') return
  const { orgId } = job
  let lastProgress = 1
  const progress = (value: number) => {
    if (value <= lastProgress) return Promise.resolve()
    lastProgress = value
    return db.trainingJob.update({ where: { id: job.id }, data: { progress: value } }).then(() => undefined)
  }
  await db.trainingJob.update({ where: { id: job.id }, data: { status: 'PROCESSING', startedAt: new Date(), progress: 1 } })
  const started = Date.now()
  const system = { orgId, actor: 'system' }
  try {
    const current = await deps.models.activeFor(db, orgId)
    const org = await db.organization.findUniqueOrThrow({ where: { id: orgId }, select: { alertBudgetPerDay: true, autoActivateModels: true } })
    const version = await nextModelVersion(db, orgId)
    const databaseUrl = sqlPoolOf(db).options.connectionString
    if (!databaseUrl) throw new Error('the database connection has no URL to hand to the training thread')
    let progressWrites = Promise.resolve()
    const { result, replayed, kept } = await trainOnWorker(
      {
        databaseUrl,
        orgId,
        trainingJobId: job.id,
        version,
        current: { version: current.version, model: current.loaded.model },
        budgetPerDay: org.alertBudgetPerDay,
        maxRows: options.maxRows,
      },
      {
        limits: options.limits,
        onStage: options.onStage,
        // In order, one at a time: a late write must never move the bar back.
        onProgress: (value) => void (progressWrites = progressWrites.then(() => progress(value)).catch(() => {})),
      },
    )
    await progressWrites
    const { report } = result
    const files = { manifest: Buffer.from(result.files.manifest), onnx: Buffer.from(result.files.onnx), trees: Buffer.from(result.files.trees) }
    const metrics = {
      holdoutAveragePrecision: report.candidate.averagePrecision,
      averagePrecision: report.candidate.averagePrecision,
      aucRoc: report.candidate.aucRoc,
      cardPrecisionAtK: report.candidate.cardPrecisionAtK,
      cardPrecisionK: report.cardPrecisionK,
      alertsPerDay: report.candidate.alertsPerDay,
      alertVolume: { ...report.alertVolume },
      precisionAtBudget: report.candidate.precisionAtBudget,
      recallAtBudget: report.candidate.recallAtBudget,
      falsePositivesPer1000: report.candidate.falsePositivesPer1000,
      falsePositivePatternsSuppressed: report.falsePositivePatterns.all.nowBelowThreshold,
      comparedWith: report.current.version,
      current: { ...report.current },
    } as Prisma.InputJsonObject
    const registered = await registerModel(db, deps.storage, system, files, { metrics })
    await progress(90)
    const decision: TrainingDecision = !report.candidateWins ? 'not-better' : org.autoActivateModels ? 'activated' : 'waiting-for-review'
    if (decision === 'activated') await activateModel(db, deps, system, version, { reason: 'auto-after-training' })
    const fullReport = { ...report, decision, replayed, kept, trainingSeconds: (Date.now() - started) / 1000 }
    const recorded = await db.$transaction(async (tx) => {
      // Only a row still PROCESSING: one the stuck-work sweep failed meanwhile (its pg-boss
      // job expired) stays FAILED, as the user was told; the version stays registered.
      const { count } = await tx.trainingJob.updateMany({
        where: { id: job.id, status: 'PROCESSING' },
        data: {
          status: 'COMPLETED',
          progress: 100,
          completedAt: new Date(),
          modelArtifactId: registered.id,
          report: fullReport as unknown as Prisma.InputJsonObject,
        },
      })
      if (count === 0) return false
      await recordAudit(tx, system, {
        action: 'model.training',
        entityType: 'TrainingJob',
        entityId: job.id,
        oldData: { version: current.version, averagePrecision: report.current.averagePrecision },
        newData: { version, averagePrecision: report.candidate.averagePrecision, decision },
      })
      return true
    })
    if (!recorded) {
      log.warn({ orgId, trainingJobId: job.id, version }, 'training finished after its job was given up on; the job stays failed, the version is registered')
      return
    }
    log.info(
      { orgId, trainingJobId: job.id, version, decision, replayed, kept, ap: report.candidate.averagePrecision, currentAp: report.current.averagePrecision },
      'training finished',
    )
  } catch (error) {
    const reason =
      error instanceof TrainingRefused || error instanceof AppError
        ? error.message
        : error instanceof Error && /^Training /.test(error.message)
          ? error.message
          : `Training failed: ${error instanceof Error ? error.message : String(error)}`
    await db.trainingJob.update({
      where: { id: job.id },
      data: { status: 'FAILED', failureReason: reason, completedAt: new Date(), report: { decision: 'failed', reason } },
    })
    await recordAudit(
      db,
      { orgId, actor: 'system' },
      { action: 'model.training', entityType: 'TrainingJob', entityId: job.id, newData: { decision: 'failed', reason } },
    )
    log.warn({ orgId, trainingJobId: job.id, reason }, 'training did not produce a model')
  }
}
