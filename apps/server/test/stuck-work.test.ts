import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TRACKED_WORK } from '../src/app/stuck-work.ts'
import { reconcileStuckWork, startStuckWorkReconciliation, STUCK_WORK_CRON, STUCK_WORK_QUEUE } from '../src/jobs/reconcile-stuck-work.ts'
import type { QueueDefinition } from '../src/jobs/job-queue.ts'
import { BATCH_QUEUE, BATCH_SEND_OPTIONS } from '../src/services/batch/batch-queue.ts'
import { entitlementsOfPlan } from '../src/services/billing/entitlements.ts'
import { DEFAULT_PLANS, seedPlans } from '../src/services/billing/plans.ts'
import { ensurePersonalWorkspace } from '../src/services/organizations/workspaces.ts'
import { createReport } from '../src/services/reports/manage-reports.ts'
import { ZCreateReportInput } from '../src/services/reports/report-parameters.ts'
import { GENERATE_REPORT_QUEUE } from '../src/services/reports/report-queues.ts'
import { RULE_BACKTEST_QUEUE } from '../src/services/rules/backtest/backtest-queue.ts'
import { startBacktest } from '../src/services/rules/backtest/manage-backtests.ts'
import { startTraining } from '../src/services/training/start-training.ts'
import { RETRAIN_QUEUE } from '../src/services/training/training-queue.ts'
import { testLogger } from './helpers/silent-logger.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'
import { createTestServices, type TestServices } from './helpers/test-services.ts'

/**
 * Work rows whose worker died. No worker is registered here: the test plays the worker
 * with pg-boss's own `fetch` (the job turns active, as a worker's does), writes the row
 * as the worker's first step does, and then "dies" by never completing the job. What
 * pg-boss does about an abandoned job is pg-boss's own code: its maintenance step
 * `expire()` fails every active job whose `started_on + expire_in` has passed (retrying
 * it while attempts remain). Moving `started_on` back by the expiry stands for the
 * expiry's wait; setting `retry_count` to the limit stands for the earlier attempts
 * having died the same way.
 */
describe('stuck work: rows whose worker died are marked FAILED', () => {
  let database: TestDatabase
  let services: TestServices
  const deps = () => ({ db: database.db, log: testLogger })
  // Past every table's grace (reports: one hour) for rows created during the test.
  const later = () => new Date(Date.now() + 2 * 60 * 60_000)

  beforeAll(async () => {
    database = await createTestDatabase()
    services = await createTestServices({ databaseUrl: database.url })
    await seedPlans(database.db)
  })
  afterAll(async () => {
    await services.close()
    await database.drop()
  })

  async function proAccount(id: string): Promise<void> {
    await ensurePersonalWorkspace(database.db, { id, name: id })
    const pro = DEFAULT_PLANS[1]
    await database.db.subscription.create({ data: { orgId: id, planId: pro.id, status: 'ACTIVE', features: entitlementsOfPlan(pro) } })
  }

  /** Takes the queue's next job as a worker would; it must be the one for `rowId`. */
  async function takeAsWorker(queue: QueueDefinition<object>, idField: string, rowId: string): Promise<string> {
    const [job] = await services.jobs.boss.fetch<Record<string, unknown>>(queue.name)
    expect(job?.data[idField], `the next ${queue.name} job is the one for ${rowId}`).toBe(rowId)
    return job!.id
  }

  /** The worker holding `jobId` is gone; its expiry passes and pg-boss's maintenance runs. */
  async function workerDiesOnLastAttempt(queue: QueueDefinition<object>, jobId: string): Promise<void> {
    await database.db.$executeRaw`
      UPDATE pgboss.job SET retry_count = retry_limit, started_on = started_on - expire_in - interval '1 second'
      WHERE name = ${queue.name} AND id = ${jobId}::uuid`
    await services.jobs.boss.expire()
    const job = await services.jobs.boss.getJobById(queue.name, jobId)
    expect(job?.state).toBe('failed')
  }

  async function liveJobsFor(queue: QueueDefinition<object>, idField: string, rowId: string): Promise<number> {
    const [row] = await database.db.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM pgboss.job WHERE name = ${queue.name} AND data->>${idField} = ${rowId} AND state IN ('created', 'retry', 'active')`
    return row?.n ?? 0
  }

  it('leaves a training alone while its worker holds the job', async () => {
    await proAccount('org_healthy')
    const started = await startTraining(database.db, services.jobs, 'org_healthy', 'MANUAL')
    await takeAsWorker(RETRAIN_QUEUE, 'trainingJobId', started.id)
    await database.db.trainingJob.update({ where: { id: started.id }, data: { status: 'PROCESSING', startedAt: new Date(), progress: 1 } })

    const failed = await reconcileStuckWork(deps(), TRACKED_WORK, later())

    expect(failed.map((row) => row.id)).not.toContain(started.id)
    expect(await database.db.trainingJob.findUniqueOrThrow({ where: { id: started.id } })).toMatchObject({ status: 'PROCESSING', failureReason: null })
    expect(await startTraining(database.db, services.jobs, 'org_healthy', 'MANUAL')).toEqual({ id: started.id, status: 'PROCESSING', alreadyRunning: true })
  })

  it('fails a training whose server died, so the next Retrain starts a fresh job', async () => {
    await proAccount('org_crashed')
    const started = await startTraining(database.db, services.jobs, 'org_crashed', 'MANUAL')
    const jobId = await takeAsWorker(RETRAIN_QUEUE, 'trainingJobId', started.id)
    await database.db.trainingJob.update({ where: { id: started.id }, data: { status: 'PROCESSING', startedAt: new Date(), progress: 1 } })
    await workerDiesOnLastAttempt(RETRAIN_QUEUE, jobId)
    // The fault: pg-boss has given up on the job, the row still says PROCESSING and blocks every retrain.
    expect(await startTraining(database.db, services.jobs, 'org_crashed', 'MANUAL')).toMatchObject({ id: started.id, alreadyRunning: true })

    const failed = await reconcileStuckWork(deps(), TRACKED_WORK, later())

    const reason = 'The server stopped while this training was running; start it again.'
    expect(failed.filter((row) => row.id === started.id)).toEqual([{ kind: 'training', id: started.id, orgId: 'org_crashed', status: 'PROCESSING', reason }])
    const row = await database.db.trainingJob.findUniqueOrThrow({ where: { id: started.id } })
    expect(row).toMatchObject({ status: 'FAILED', failureReason: reason, report: { decision: 'failed', reason } })
    expect(row.completedAt).toBeInstanceOf(Date)
    const audit = await database.db.auditLog.findMany({ where: { orgId: 'org_crashed', entityId: started.id } })
    expect(audit.map((a) => [a.action, a.actor, a.newData])).toEqual([['model.training', 'system', { decision: 'failed', reason }]])

    const retried = await startTraining(database.db, services.jobs, 'org_crashed', 'MANUAL')
    expect(retried).toMatchObject({ status: 'QUEUED', alreadyRunning: false })
    expect(retried.id).not.toBe(started.id)
    expect(await liveJobsFor(RETRAIN_QUEUE, 'trainingJobId', retried.id)).toBe(1)
    // A second pass leaves both alone: one is final, the other has its job.
    expect((await reconcileStuckWork(deps(), TRACKED_WORK, later())).filter((r) => r.orgId === 'org_crashed')).toEqual([])
  })

  it('fails a batch import whose last attempt died, and keeps one whose slice is waiting to retry', async () => {
    await ensurePersonalWorkspace(database.db, { id: 'org_batch' })
    const file = { orgId: 'org_batch', fileName: 'march.csv', r2Key: 'uploads/march.csv', status: 'PROCESSING' as const, totalRows: 100 }
    const dead = await database.db.batchJob.create({ data: { ...file, processedRows: 40, committedLines: 40 } })
    await services.jobs.send(BATCH_QUEUE, { batchJobId: dead.id, apiKeyId: null }, BATCH_SEND_OPTIONS)
    await workerDiesOnLastAttempt(BATCH_QUEUE, await takeAsWorker(BATCH_QUEUE, 'batchJobId', dead.id))
    const retrying = await database.db.batchJob.create({ data: file })
    await services.jobs.send(BATCH_QUEUE, { batchJobId: retrying.id, apiKeyId: null }, BATCH_SEND_OPTIONS)
    const retryingJob = await takeAsWorker(BATCH_QUEUE, 'batchJobId', retrying.id)
    // A first attempt that died: pg-boss puts the job back as `retry`, the row stays theirs.
    await database.db.$executeRaw`UPDATE pgboss.job SET started_on = started_on - expire_in - interval '1 second' WHERE id = ${retryingJob}::uuid`
    await services.jobs.boss.expire()
    expect((await services.jobs.boss.getJobById(BATCH_QUEUE.name, retryingJob))?.state).toBe('retry')

    await reconcileStuckWork(deps(), TRACKED_WORK, later())

    expect(await database.db.batchJob.findUniqueOrThrow({ where: { id: dead.id } })).toMatchObject({
      status: 'FAILED',
      processedRows: 40,
      failureReason:
        'The server stopped while this file was being processed and it could not be resumed; upload it again (rows already imported are counted as duplicates).',
    })
    expect(await database.db.batchJob.findUniqueOrThrow({ where: { id: retrying.id } })).toMatchObject({ status: 'PROCESSING', failureReason: null })
  })

  it('fails a report whose worker died on its last attempt, with the reason in its error', async () => {
    await ensurePersonalWorkspace(database.db, { id: 'org_report' })
    const report = await database.db.report.create({ data: { orgId: 'org_report', type: 'ANOMALIES', format: 'CSV', parameters: { filters: {} } } })
    await services.jobs.send(GENERATE_REPORT_QUEUE, { reportId: report.id }, { singletonKey: `report:${report.id}` })
    const jobId = await takeAsWorker(GENERATE_REPORT_QUEUE, 'reportId', report.id)
    await database.db.report.update({ where: { id: report.id }, data: { status: 'PROCESSING', progress: 30 } })
    await workerDiesOnLastAttempt(GENERATE_REPORT_QUEUE, jobId)

    await reconcileStuckWork(deps(), TRACKED_WORK, later())

    const row = await database.db.report.findUniqueOrThrow({ where: { id: report.id } })
    expect(row).toMatchObject({ status: 'FAILED', fileUrl: null, error: 'The server stopped while this report was being generated; create it again.' })
    expect(row.completedAt).toBeInstanceOf(Date)
    // Asking again makes a new report with its own job.
    const again = await createReport(database.db, services, { orgId: 'org_report' }, ZCreateReportInput.parse({ type: 'ANOMALIES', format: 'CSV' }))
    expect(again.status).toBe('QUEUED')
    expect(await liveJobsFor(GENERATE_REPORT_QUEUE, 'reportId', again.id)).toBe(1)
  })

  it('fails a backtest that never got its job, once its grace has passed', async () => {
    await ensurePersonalWorkspace(database.db, { id: 'org_rules' })
    // The server stopped between the insert and the send: no job exists for it at all.
    const backtest = await database.db.ruleBacktest.create({ data: { orgId: 'org_rules', rules: [], days: 7, createdById: 'org_rules' } })

    await reconcileStuckWork(deps(), TRACKED_WORK, new Date())
    expect(await database.db.ruleBacktest.findUniqueOrThrow({ where: { id: backtest.id } })).toMatchObject({ status: 'QUEUED' })

    await reconcileStuckWork(deps(), TRACKED_WORK, later())
    expect(await database.db.ruleBacktest.findUniqueOrThrow({ where: { id: backtest.id } })).toMatchObject({
      status: 'FAILED',
      failureReason: 'The server stopped before this backtest could start; run it again.',
    })
    expect(await liveJobsFor(RULE_BACKTEST_QUEUE, 'backtestId', backtest.id)).toBe(0)
    const again = await startBacktest(database.db, services.jobs, { orgId: 'org_rules', actor: 'org_rules' }, { rules: [], days: 7 })
    expect(again.status).toBe('QUEUED')
    expect(await liveJobsFor(RULE_BACKTEST_QUEUE, 'backtestId', again.id)).toBe(1)
  })

  it('reconciles once at start and schedules itself every 5 minutes', async () => {
    await ensurePersonalWorkspace(database.db, { id: 'org_start' })
    const leftOver = await database.db.ruleBacktest.create({
      data: { orgId: 'org_start', rules: [], days: 7, createdById: 'org_start', status: 'PROCESSING', createdAt: new Date(Date.now() - 3 * 60 * 60_000) },
    })

    await startStuckWorkReconciliation({ ...deps(), jobs: services.jobs }, TRACKED_WORK)

    expect(await database.db.ruleBacktest.findUniqueOrThrow({ where: { id: leftOver.id } })).toMatchObject({
      status: 'FAILED',
      failureReason: 'The server stopped while this backtest was running; run it again.',
    })
    const schedules = await services.jobs.boss.getSchedules()
    expect(schedules).toContainEqual(expect.objectContaining({ name: STUCK_WORK_QUEUE.name, cron: STUCK_WORK_CRON, timezone: 'UTC' }))
  })
})
