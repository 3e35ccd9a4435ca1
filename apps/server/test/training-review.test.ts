import { createHash, randomUUID } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { MAX_PUSH_DECISIONS } from '@anomalyze/shared'
import { generateTransactions, type GeneratedTransaction } from '@anomalyze/shared/engine'
import { loadDefaultModel, MANIFEST_FILE, ONNX_FILE, saveModelArtifact, TREES_FILE } from '@anomalyze/shared/node'
import { TRPCError } from '@trpc/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ZodError } from 'zod'
import type { WorkerDeps } from '../src/services/service-deps.ts'
import { runTraining } from '../src/services/training/run-training.ts'
import type { TrainingStage } from '../src/services/training/training-worker-protocol.ts'
import { callerFor } from './helpers/caller.ts'
import { createProAccountWithTraining, trainingFinished } from './helpers/pro-account.ts'
import { testLogger } from './helpers/silent-logger.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'
import { createTestServices, type TestServices } from './helpers/test-services.ts'

/**
 * Retraining off the request path and review before activation, on the feedback
 * loop's data (a few merchants whose legal sales keep raising alerts, a few dozen of
 * those labelled false positive, the real frauds confirmed). The active model is the
 * shipped one without its supervised trees (its isolation forest alone, 1.0.0), so a
 * candidate trained on the labels wins on average precision whatever the training's
 * randomness: the training runs on its own thread while the API keeps answering; a thread that dies ends the job FAILED saying why; a winner waits for an
 * admin unless the organisation turned automatic activation on; the shipped default
 * can be activated and rolled back from.
 */
const DAY = 86_400_000
const START = Date.UTC(2026, 0, 1)
const TRAIN_DAYS = 35
const NOISY = new Set(['T00000', 'T00001', 'T00002', 'T00003'])
const FALSE_POSITIVES_TO_LABEL = 40

/** The shipped model's isolation forest alone (no supervised trees) as a `models.register` upload. */
async function isolationOnlyUpload(version: string) {
  const shipped = await loadDefaultModel()
  await shipped.scorer.close()
  const dir = await mkdtemp(path.join(os.tmpdir(), 'anomalyze-isolation-only-'))
  try {
    await saveModelArtifact(dir, { ...shipped.model, supervised: null }, { version, training: shipped.manifest.training })
    const [manifest, onnx, trees] = await Promise.all([MANIFEST_FILE, ONNX_FILE, TREES_FILE].map((name) => readFile(path.join(dir, name))))
    return {
      manifest: manifest!.toString('utf8'),
      onnxBase64: onnx!.toString('base64'),
      treesBase64: trees!.toString('base64'),
      sha256: createHash('sha256').update(onnx!).digest('hex'),
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

describe('training off the request path, and review before activation', () => {
  let database: TestDatabase
  let services: TestServices
  let deps: WorkerDeps
  const userId = 'user_training_review'
  const items: GeneratedTransaction[] = [
    ...generateTransactions({
      seed: 7,
      customers: 250,
      terminals: 500,
      days: 42,
      startDate: '2026-01-01',
      noisyMerchants: NOISY.size,
    }),
  ].filter((i) => i.transaction.timestamp < START + TRAIN_DAYS * DAY)
  const truth = new Map(items.map((i) => [i.transaction.txId, i]))

  const caller = () => callerFor(database.db, userId, { name: 'Asha' }, services)
  const newJob = async () => (await database.db.trainingJob.create({ data: { orgId: userId, trigger: 'MANUAL' } })).id
  const jobRow = (id: string) => database.db.trainingJob.findUniqueOrThrow({ where: { id }, include: { modelArtifact: true } })

  beforeAll(async () => {
    database = await createTestDatabase()
    // No retraining queued by the label count: every training here is the test's own.
    services = await createTestServices({ databaseUrl: database.url, env: { RETRAIN_AFTER_LABELS: '0' } })
    await createProAccountWithTraining(database.db, services, { id: userId, name: 'Training review' })
    deps = { ...services, db: database.db, log: testLogger }
    for (let i = 0; i < items.length; i += 1_000) {
      const result = await caller().ingest.transactions({ transactions: items.slice(i, i + 1_000).map((g) => g.transaction) })
      expect(result.rejected).toBe(0)
    }
    const alerts = await database.db.anomaly.findMany({
      where: { orgId: userId, severity: { not: 'LOW' } },
      select: { id: true, transaction: { select: { txId: true, merchantId: true, timestamp: true } } },
      orderBy: { transaction: { timestamp: 'asc' } },
    })
    const candidates = alerts.filter(
      (a) => NOISY.has(a.transaction.merchantId) && !truth.get(a.transaction.txId)?.isFraud && a.transaction.timestamp.getTime() >= START + 7 * DAY,
    )
    const step = candidates.length / FALSE_POSITIVES_TO_LABEL
    const falsePositives = Array.from({ length: Math.min(FALSE_POSITIVES_TO_LABEL, candidates.length) }, (_, k) => candidates[Math.floor(k * step)]!)
    const frauds = alerts.filter((a) => truth.get(a.transaction.txId)?.isFraud)
    expect(falsePositives).toHaveLength(FALSE_POSITIVES_TO_LABEL)
    const decisions = [
      ...falsePositives.map((a) => ({ anomalyId: a.id, label: 'FALSE_POSITIVE' as const })),
      ...frauds.map((a) => ({ anomalyId: a.id, label: 'CONFIRMED_FRAUD' as const })),
    ].map((d) => ({ ...d, mutationId: randomUUID(), decidedAt: Date.now() }))
    for (let i = 0; i < decisions.length; i += MAX_PUSH_DECISIONS) {
      const pushed = await caller().sync.push({ decisions: decisions.slice(i, i + MAX_PUSH_DECISIONS) })
      expect(pushed.results.every((r) => r.outcome === 'applied')).toBe(true)
    }
    await caller().models.register(await isolationOnlyUpload('1.0.0'))
    expect(await caller().models.activate({ version: '1.0.0' })).toEqual({ version: '1.0.0', previousVersion: null })
  })
  afterAll(async () => {
    await services?.close()
    await database?.drop()
  })

  it('trains on its own thread: the API process answers a call and its timers keep firing while the trees grow', async () => {
    const id = await newJob()
    const events: string[] = []
    let ticks = 0
    let ticksAtLoaded = -1
    let ticksAtTrained = -1
    // Counts turns of this thread's event loop; a training on this thread would starve it between the stages.
    const ticker = setInterval(() => (ticks += 1), 1)
    let answered: Promise<unknown> = Promise.resolve()
    try {
      await runTraining(deps, id, {
        onStage: (stage: TrainingStage) => {
          events.push(`stage:${stage}`)
          if (stage === 'loaded') {
            ticksAtLoaded = ticks
            // A request arriving while the job trains: it must be answered before the training reports back.
            answered = caller()
              .models.settings()
              .then((settings) => events.push(`answered:${String(settings.autoActivateModels)}`))
          }
          if (stage === 'trained') ticksAtTrained = ticks
        },
      })
      await answered
    } finally {
      clearInterval(ticker)
    }
    expect(events.filter((e) => e.startsWith('stage:'))).toEqual(['stage:loaded', 'stage:trained', 'stage:evaluated'])
    expect(events.indexOf('answered:false')).toBeGreaterThan(events.indexOf('stage:loaded'))
    expect(events.indexOf('answered:false')).toBeLessThan(events.indexOf('stage:trained'))
    expect(ticksAtTrained - ticksAtLoaded).toBeGreaterThan(0)

    // Automatic activation is off by default: the winner is registered and waits for an admin.
    const job = await jobRow(id)
    const figures = job.report as { current?: { averagePrecision?: number }; candidate?: { averagePrecision?: number }; decision?: string }
    console.log(
      `[training-review] ${ticksAtTrained - ticksAtLoaded} timer ticks while training; AP ${figures.current?.averagePrecision} -> ${figures.candidate?.averagePrecision}: ${figures.decision}`,
    )
    expect(job.status).toBe('COMPLETED')
    expect(job.failureReason).toBeNull()
    expect(job.report).toMatchObject({ decision: 'waiting-for-review', candidateWins: true })
    expect(job.modelArtifact).toMatchObject({ version: '1.1.0', isActive: false })
    const listed = await caller().models.list()
    expect(listed.activeVersion).toBe('1.0.0')
    expect(listed.versions.filter((v) => v.isActive).map((v) => v.version)).toEqual(['1.0.0'])
    // The only activation is the test's own of 1.0.0.
    expect((await database.db.auditLog.findMany({ where: { orgId: userId, action: 'model.activate' } })).map((a) => a.newData)).toEqual([
      { version: '1.0.0', reason: 'manual' },
    ])
    const audit = await database.db.auditLog.findFirst({ where: { orgId: userId, action: 'model.training', entityId: id } })
    expect(audit?.newData).toMatchObject({ version: '1.1.0', decision: 'waiting-for-review' })
  })

  it('ends the job FAILED with a readable reason when the training thread runs out of memory, registering nothing', async () => {
    const before = await database.db.modelArtifact.count({ where: { orgId: userId } })
    const id = await newJob()
    await runTraining(deps, id, { limits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 } })
    const job = await jobRow(id)
    expect(job.status).toBe('FAILED')
    expect(job.failureReason).toMatch(/^Training ran out of memory \(the training thread may use 16 MB\) and was stopped; the API kept running\./)
    expect(job.completedAt).not.toBeNull()
    expect(job.report).toMatchObject({ decision: 'failed', reason: job.failureReason })
    expect(job.modelArtifactId).toBeNull()
    expect(await database.db.modelArtifact.count({ where: { orgId: userId } })).toBe(before)
    expect(await database.db.trainingJob.count({ where: { orgId: userId, status: 'PROCESSING' } })).toBe(0)
    // The API is still answering, and the candidate from before still waits.
    expect((await caller().models.list()).activeVersion).toBe('1.0.0')
  })

  it('activates a winning candidate at once, with its audit row, once an admin turned automatic activation on', async () => {
    expect(await caller().models.settings()).toEqual({ autoActivateModels: false })
    expect(await caller().models.setAutoActivate({ enabled: true })).toEqual({ autoActivateModels: true })
    expect(await caller().models.settings()).toEqual({ autoActivateModels: true })
    const settingsAudit = await database.db.auditLog.findFirst({ where: { orgId: userId, action: 'model.settings' } })
    expect(settingsAudit).toMatchObject({ oldData: { autoActivateModels: false }, newData: { autoActivateModels: true } })

    // Through the job queue, as the console starts it.
    const started = await caller().training.start()
    expect(started.alreadyRunning).toBe(false)
    const job = await trainingFinished(() => caller().training.get({ id: started.id }))
    expect(job.failureReason).toBeNull()
    expect(job.status).toBe('COMPLETED')
    expect(job.report).toMatchObject({ decision: 'activated', candidateWins: true })
    const listed = await caller().models.list()
    expect(listed.activeVersion).toBe('1.2.0')
    expect(listed.versions.filter((v) => v.isActive).map((v) => v.version)).toEqual(['1.2.0'])
    // The one waiting for review stays where it was.
    expect(listed.versions.find((v) => v.version === '1.1.0')?.isActive).toBe(false)
    const activation = await database.db.auditLog.findFirst({
      where: { orgId: userId, action: 'model.activate' },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    })
    expect(activation).toMatchObject({ actor: 'system', oldData: { version: '1.0.0' }, newData: { version: '1.2.0', reason: 'auto-after-training' } })
    expect((await services.models.activeFor(database.db, userId)).version).toBe('1.2.0')
  }, 180_000)

  it('activates the shipped default, rolls back to the version before, and refuses a version that is not one, naming the field', async () => {
    expect(await caller().models.activate({ version: 'default' })).toEqual({ version: 'default', previousVersion: '1.2.0' })
    expect(await database.db.modelArtifact.count({ where: { orgId: userId, isActive: true } })).toBe(0)
    const listed = await caller().models.list()
    expect(listed.activeVersion).toBe('default')
    expect(listed.versions.filter((v) => v.isActive).map((v) => [v.id, v.shippedDefault])).toEqual([['shipped-default', true]])
    expect((await services.models.activeFor(database.db, userId)).version).toMatch(/^default/)
    expect((await caller().models.active()).version).toBe('default')

    expect(await caller().models.rollback({})).toEqual({ version: '1.2.0', previousVersion: null })
    expect((await caller().models.list()).activeVersion).toBe('1.2.0')
    const last = await database.db.auditLog.findFirst({ where: { orgId: userId, action: 'model.activate' }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] })
    expect(last).toMatchObject({ oldData: { version: null }, newData: { version: '1.2.0', reason: 'rollback' } })

    for (const attempt of [() => caller().models.activate({ version: '../x' }), () => caller().models.rollback({ version: '../x' })]) {
      const error = await attempt().catch((e: unknown) => e)
      expect(error).toBeInstanceOf(TRPCError)
      expect((error as TRPCError).code).toBe('BAD_REQUEST')
      const cause = (error as TRPCError).cause
      expect(cause).toBeInstanceOf(ZodError)
      expect((cause as ZodError).issues.map((i) => [i.path.join('.'), i.message])).toEqual([
        ['version', "must be a semantic version such as 1.2.0, or 'default' for the shipped model"],
      ])
    }
    const unknown = await caller()
      .models.activate({ version: '9.9.9' })
      .catch((e: unknown) => e)
    expect((unknown as TRPCError).code).toBe('NOT_FOUND')
    expect((unknown as TRPCError).message).toBe('No model version 9.9.9')
    expect((await caller().models.list()).activeVersion).toBe('1.2.0')
  })

  it('leaves a training the stuck-work sweep gave up on FAILED when its thread finishes late, as the user was told', async () => {
    const id = await newJob()
    const givenUp = 'The server stopped while this training was running; start it again'
    let sweep: Promise<unknown> = Promise.resolve()
    await runTraining(deps, id, {
      // While the evaluation runs: what the sweep does once pg-boss expired the job. (Had
      // it landed after the final write, the audit row below would exist.)
      onStage: (stage: TrainingStage) => {
        if (stage === 'trained')
          sweep = database.db.trainingJob
            .update({ where: { id }, data: { status: 'FAILED', failureReason: givenUp, completedAt: new Date() } })
            .then(() => undefined)
      },
    })
    await sweep
    const job = await jobRow(id)
    expect(job).toMatchObject({ status: 'FAILED', failureReason: givenUp, modelArtifactId: null })
    expect(await database.db.auditLog.count({ where: { orgId: userId, action: 'model.training', entityId: id } })).toBe(0)
  })
})
