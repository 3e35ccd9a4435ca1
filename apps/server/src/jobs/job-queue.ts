import PgBoss from 'pg-boss'
import type { Logger } from '../logger.ts'

/**
 * The product's one job queue: pg-boss on the application's own Postgres (schema
 * `pgboss`), so jobs commit and survive restarts with the data they work on, and any
 * number of server instances share the work. Nothing here polls by hand.
 *
 * Features declare their queues with `defineQueue` next to their worker and register
 * the worker in `register-workers.ts`.
 */
export interface QueueDefinition<Data extends object> {
  name: string
  options: Omit<PgBoss.Queue, 'name'>
  /** Type carrier only; never read. */
  readonly _data?: Data
}

export function defineQueue<Data extends object>(name: string, options: Omit<PgBoss.Queue, 'name'> = {}): QueueDefinition<Data> {
  return { name, options }
}

export type JobHandler<Data extends object> = (job: PgBoss.JobWithMetadata<Data>) => Promise<void>

/** A job a batch handler could not finish, and why: pg-boss retries it on its own. */
export interface FailedJob {
  id: string
  error: Error
}

/**
 * Works a batch of jobs fetched together; returns the ones that failed (the others
 * complete). Throwing fails the whole batch.
 */
export type BatchJobHandler<Data extends object> = (jobs: PgBoss.JobWithMetadata<Data>[]) => Promise<FailedJob[]>

export interface JobQueue {
  /** Enqueues one job; `null` when a singleton key already holds a job. */
  send<Data extends object>(queue: QueueDefinition<Data>, data: Data, options?: PgBoss.SendOptions): Promise<string | null>
  /** Runs `handler` for each job of `queue` (one at a time per worker unless `batchSize` says otherwise). */
  work<Data extends object>(queue: QueueDefinition<Data>, handler: JobHandler<Data>, options?: PgBoss.WorkOptions): Promise<void>
  /**
   * Runs `handler` on up to `batchSize` waiting jobs at once, for queues whose jobs are
   * cheaper done together than one at a time (one fetch per polling interval would
   * otherwise drain a backlog at one job a second). Jobs the handler reports as failed
   * are retried one by one with the queue's backoff; the rest complete.
   */
  workBatch<Data extends object>(queue: QueueDefinition<Data>, batchSize: number, handler: BatchJobHandler<Data>): Promise<void>
  /** Cron schedule (pg-boss keeps it in the database, so one instance fires it). */
  schedule<Data extends object>(queue: QueueDefinition<Data>, cron: string, data: Data, options?: PgBoss.ScheduleOptions): Promise<void>
  /** The underlying pg-boss, for the rare call this wrapper does not cover (tests, diagnostics). */
  readonly boss: PgBoss
  stop(): Promise<void>
}

export interface JobQueueOptions {
  databaseUrl: string
  log: Logger
  /** Seconds between fetches when a queue is idle (pg-boss's own polling). */
  pollingIntervalSeconds?: number
  /** Turns off pg-boss's cron scheduler (tests that do not need it start faster). */
  schedule?: boolean
}

export async function startJobQueue(options: JobQueueOptions): Promise<JobQueue> {
  const log = options.log.child({ component: 'jobs' })
  const boss = new PgBoss({
    connectionString: options.databaseUrl,
    schema: 'pgboss',
    application_name: 'anomalyze-jobs',
    max: 4,
    schedule: options.schedule ?? true,
  })
  boss.on('error', (error) => log.error({ err: error }, 'job queue error'))
  await boss.start()

  const created = new Map<string, Promise<void>>()
  const ensureQueue = (queue: QueueDefinition<object>): Promise<void> => {
    let pending = created.get(queue.name)
    if (pending === undefined) {
      pending = (async () => {
        // createQueue is not idempotent under races between instances: check first,
        // and treat "already exists" from a concurrent creator as success.
        if ((await boss.getQueue(queue.name)) !== null) return
        try {
          await boss.createQueue(queue.name, { name: queue.name, ...queue.options })
        } catch (error) {
          if ((await boss.getQueue(queue.name)) === null) throw error
        }
      })()
      created.set(queue.name, pending)
    }
    return pending
  }

  const pollingIntervalSeconds = options.pollingIntervalSeconds ?? 1
  return {
    boss,
    async send(queue, data, sendOptions = {}) {
      await ensureQueue(queue)
      return boss.send(queue.name, data, sendOptions)
    },
    async work(queue, handler, workOptions = {}) {
      await ensureQueue(queue)
      await boss.work<typeof queue._data & object>(queue.name, { pollingIntervalSeconds, ...workOptions, includeMetadata: true }, async (jobs) => {
        for (const job of jobs) {
          const started = Date.now()
          try {
            await handler(job as PgBoss.JobWithMetadata<never>)
            log.debug({ queue: queue.name, jobId: job.id, ms: Date.now() - started }, 'job done')
          } catch (error) {
            // Thrown back so pg-boss retries with the queue's backoff, then fails it.
            log.warn({ queue: queue.name, jobId: job.id, retryCount: job.retryCount, err: error }, 'job failed')
            throw error
          }
        }
      })
    },
    async workBatch(queue, batchSize, handler) {
      await ensureQueue(queue)
      await boss.work<typeof queue._data & object>(queue.name, { pollingIntervalSeconds, batchSize, includeMetadata: true }, async (jobs) => {
        const started = Date.now()
        const failed = await handler(jobs as PgBoss.JobWithMetadata<never>[])
        // Failed before the handler returns: pg-boss then completes the batch, and
        // completing only touches jobs still active, so these stay failed (and retry).
        for (const { id, error } of failed) {
          const job = jobs.find((j) => j.id === id)
          log.warn({ queue: queue.name, jobId: id, retryCount: job?.retryCount, err: error }, 'job failed')
          await boss.fail(queue.name, id, { message: error.message, name: error.name })
        }
        log.debug({ queue: queue.name, jobs: jobs.length, failed: failed.length, ms: Date.now() - started }, 'job batch done')
      })
    },
    async schedule(queue, cron, data, scheduleOptions = {}) {
      await ensureQueue(queue)
      await boss.schedule(queue.name, cron, data, scheduleOptions)
    },
    async stop() {
      // Waits for running jobs longer than a batch job's 30 s slice (plus its last
      // chunk): the database closes after this, and a job cut off there would fail
      // its own bookkeeping mid-shutdown. An unfinished job resumes at the next start.
      await boss.stop({ graceful: true, timeout: 45_000, wait: true })
    },
  }
}
