import type { WorkerDeps } from '../service-deps.ts'
import type { Db } from '../../db/prisma.ts'
import { BATCH_QUEUE, BATCH_SEND_OPTIONS, retryDelaySeconds, SLICE_MS, type BatchJobData } from './batch-queue.ts'
import { noteRetry } from './batch-job-store.ts'
import { fail, runBatchSlice, type SliceOutcome } from './run-batch-job.ts'

/**
 * Batch CSV worker, plus recovery of jobs orphaned by a killed server: at start, every
 * unfinished BatchJob whose advisory lock is free (no live worker anywhere) and that has
 * no job waiting in the queue gets a fresh job, so it resumes within seconds instead
 * of waiting for pg-boss to expire the dead one.
 */
export async function registerBatchWorkers(deps: WorkerDeps): Promise<void> {
  const { db, jobs, log, env } = deps
  await jobs.work(BATCH_QUEUE, async (job) => {
    const data = job.data
    let outcome: SliceOutcome | 'busy'
    try {
      outcome = await whileLocked(db, data.batchJobId, () => runBatchSlice(deps, data, { sliceMs: SLICE_MS, chunkRows: env.BATCH_CHUNK_ROWS }))
    } catch (error) {
      const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)
      // The job's own limit (jobs queued before the limit was cut keep theirs).
      const attempts = job.retryLimit + 1
      if (job.retryCount + 1 >= attempts) {
        log.error({ err: error, batchJobId: data.batchJobId }, 'batch job failed for good')
        await fail(db, data.batchJobId, `Processing failed ${attempts} times in a row (last error: ${message}): upload the file again or contact support.`)
        return
      }
      // Said on the job at once, so a job waiting for its next attempt never looks stuck
      // without a reason; the next committed chunk clears it.
      log.warn({ err: error, batchJobId: data.batchJobId, attempt: job.retryCount + 1 }, 'batch job slice failed, will retry')
      await noteRetry(
        db,
        data.batchJobId,
        `Attempt ${job.retryCount + 1} of ${attempts} failed (${message}); retrying automatically within ${retryDelaySeconds(job.retryCount, job.retryDelay)} s.`,
      ).catch((noteError: unknown) => log.warn({ err: noteError, batchJobId: data.batchJobId }, 'could not record the batch job failure'))
      throw error
    }
    if (outcome === 'busy') log.info({ batchJobId: data.batchJobId }, 'batch job is being worked on elsewhere')
    if (outcome === 'continue') await jobs.send(BATCH_QUEUE, data, BATCH_SEND_OPTIONS)
  })
  await recoverOrphanedJobs(deps)
}

/**
 * Runs `work` while holding a transaction-scoped advisory lock on the batch job: one
 * worker per job across all instances, and the lock vanishes with a dead process's
 * connection (which is how recovery tells orphaned jobs from running ones).
 */
async function whileLocked<T>(db: Db, batchJobId: string, work: () => Promise<T>): Promise<T | 'busy'> {
  return db.$transaction(
    async (tx) => {
      const [row] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(hashtextextended(${lockName(batchJobId)}, 0)) AS locked`
      if (!row?.locked) return 'busy' as const
      return work()
    },
    { timeout: SLICE_MS + 10 * 60_000, maxWait: 30_000 },
  )
}

function lockName(batchJobId: string): string {
  return `batch-job:${batchJobId}`
}

async function recoverOrphanedJobs(deps: WorkerDeps): Promise<void> {
  const { db, jobs, log } = deps
  const unfinished = await db.batchJob.findMany({ where: { status: { in: ['QUEUED', 'PROCESSING'] } }, select: { id: true }, take: 1_000 })
  for (const { id } of unfinished) {
    const [probe] = await db.$queryRaw<{ free: boolean }[]>`SELECT pg_try_advisory_xact_lock(hashtextextended(${lockName(id)}, 0)) AS free`
    if (!probe?.free) continue
    const waiting = await db.$queryRaw<{ data: BatchJobData }[]>`
      SELECT data FROM pgboss.job WHERE name = ${BATCH_QUEUE.name} AND data->>'batchJobId' = ${id}
      ORDER BY created_on DESC LIMIT 1`
    const latest = waiting[0]
    const pending = await db.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM pgboss.job WHERE name = ${BATCH_QUEUE.name} AND data->>'batchJobId' = ${id} AND state IN ('created', 'retry')`
    if ((pending[0]?.n ?? 0) > 0) continue
    // The last job's data carries the uploading key (for metering); keep it.
    await jobs.send(BATCH_QUEUE, latest?.data ?? { batchJobId: id, apiKeyId: null }, BATCH_SEND_OPTIONS)
    log.info({ batchJobId: id }, 'resuming a batch job left unfinished by a stopped server')
  }
}
