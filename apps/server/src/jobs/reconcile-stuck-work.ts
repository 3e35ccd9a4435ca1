import { Prisma, type Db } from '../db/prisma.ts'
import type { Logger } from '../logger.ts'
import { defineQueue, type JobQueue, type QueueDefinition } from './job-queue.ts'

/**
 * Work rows (TrainingJob, BatchJob, Report, RuleBacktest) say QUEUED or PROCESSING
 * while a pg-boss job works on them, and only that job's handler moves them on. A
 * process that dies mid-job (kill -9, OOM, power) never writes the row again: pg-boss
 * expires the job after the queue's `expireInSeconds` and retries or fails it, but the
 * row would stay unfinished for ever. This reconciliation marks FAILED, with a reason
 * the user understands, every unfinished row that no pg-boss job can finish any more:
 * none of its jobs is created, retry or active (the rest are completed, failed,
 * cancelled, or archived and so not in `pgboss.job`). A row still waiting for a retry
 * is left alone: its retry finishes it.
 */
export type UnfinishedStatus = 'QUEUED' | 'PROCESSING'

const UNFINISHED: readonly UnfinishedStatus[] = ['QUEUED', 'PROCESSING']

/** How a feature's work rows are tied to their pg-boss jobs (declared beside each queue). */
export interface TrackedWork {
  /** What the rows are, for logs: "training", "batch import"... */
  kind: string
  /** The table, with `id`, `orgId`, `status` (JobStatus), `createdAt` and `completedAt`. */
  table: Prisma.ModelName
  /** The text column that tells the user why a job failed. */
  reasonColumn: 'failureReason' | 'error'
  queue: QueueDefinition<object>
  /** The field of the job's data holding the row's id, as the feature's `send` writes it. */
  idField: string
  /**
   * How long after its creation a row may have no job at all: the moment between its
   * insert and its `send`, or a sender that re-sends on its own retry. Generous, since a
   * row inside it is only reconciled later, never wrongly.
   */
  graceSeconds: number
  /** Why the row failed, by the status the dead worker left it in. */
  reasons: Record<UnfinishedStatus, string>
  /** Further writes, in the transaction that marks the row FAILED (an audit row, a report). */
  afterFailed?: (tx: Prisma.TransactionClient, row: StuckRow) => Promise<void>
}

/** An unfinished row as read, with whether some pg-boss job can still finish it. */
export interface UnfinishedRow {
  id: string
  orgId: string
  status: UnfinishedStatus
  createdAt: Date
  hasLiveJob: boolean
}

export interface StuckRow {
  kind: string
  id: string
  orgId: string
  status: UnfinishedStatus
  reason: string
}

/** The decision, apart from any I/O: rows past their grace with no live job are stuck. */
export function pickStuckRows(work: Pick<TrackedWork, 'kind' | 'graceSeconds' | 'reasons'>, rows: readonly UnfinishedRow[], now: Date): StuckRow[] {
  const bornBefore = now.getTime() - work.graceSeconds * 1000
  return rows
    .filter((row) => !row.hasLiveJob && row.createdAt.getTime() < bornBefore)
    .map((row) => ({ kind: work.kind, id: row.id, orgId: row.orgId, status: row.status, reason: work.reasons[row.status] }))
}

/** Rows looked at per table and run, oldest first: stuck rows tend to be older than live ones; the rest wait 5 minutes. */
const ROWS_PER_RUN = 500

export interface ReconcileDeps {
  db: Db
  log: Pick<Logger, 'warn' | 'error'>
}

/**
 * One pass over every tracked table: marks its stuck rows FAILED (one log line each) and
 * returns them. A table that cannot be read is logged and skipped; the others still run.
 * `now` is the clock each row's grace is measured against.
 */
export async function reconcileStuckWork(deps: ReconcileDeps, tracked: readonly TrackedWork[], now: Date = new Date()): Promise<StuckRow[]> {
  const failed: StuckRow[] = []
  for (const work of tracked) {
    try {
      const stuck = pickStuckRows(work, await readUnfinishedRows(deps.db, work), now)
      for (const row of stuck) {
        if (!(await markFailed(deps.db, work, row))) continue
        deps.log.warn(
          { kind: row.kind, table: work.table, id: row.id, orgId: row.orgId, was: row.status, reason: row.reason },
          'work left unfinished by a stopped worker marked failed',
        )
        failed.push(row)
      }
    } catch (error) {
      deps.log.error({ err: error, table: work.table }, 'could not reconcile unfinished work')
    }
  }
  return failed
}

/**
 * The live-job test, shared by the read and the guarded write. Rows are tied to jobs by
 * the data the feature sends (`data->>idField` = row id); a work row has few jobs (one,
 * or one per batch slice), and only unfinished rows are looked up.
 */
function liveJobOf(work: TrackedWork, rowId: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`EXISTS (
    SELECT 1 FROM pgboss.job j
    WHERE j.name = ${work.queue.name} AND j.data->>${work.idField} = ${rowId} AND j.state IN ('created', 'retry', 'active'))`
}

/** `table` and `reasonColumn` are names from the code, never input: safe as identifiers. */
function identifier(name: string): Prisma.Sql {
  return Prisma.raw(`"${name.replaceAll('"', '""')}"`)
}

async function readUnfinishedRows(db: Db, work: TrackedWork): Promise<UnfinishedRow[]> {
  return db.$queryRaw<UnfinishedRow[]>`
    SELECT w.id, w."orgId", w.status::text AS status, w."createdAt", ${liveJobOf(work, Prisma.sql`w.id`)} AS "hasLiveJob"
    FROM ${identifier(work.table)} w
    WHERE w.status::text IN (${Prisma.join(UNFINISHED)})
    ORDER BY w."createdAt"
    LIMIT ${ROWS_PER_RUN}`
}

/**
 * FAILED only if the row is still as read and still has no live job (another instance
 * may have resumed it meanwhile, as the batch recovery does at start); false otherwise.
 */
async function markFailed(db: Db, work: TrackedWork, row: StuckRow): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const updated = await tx.$executeRaw`
      UPDATE ${identifier(work.table)} w
      SET status = 'FAILED', ${identifier(work.reasonColumn)} = ${row.reason}, "completedAt" = now()
      WHERE w.id = ${row.id} AND w.status::text = ${row.status} AND NOT ${liveJobOf(work, Prisma.sql`w.id`)}`
    if (updated !== 1) return false
    await work.afterFailed?.(tx, row)
    return true
  })
}

/**
 * Every 5 minutes: a worker that died shows as FAILED within its queue's expiry (when
 * pg-boss's maintenance fails the job it held), plus this interval.
 */
export const STUCK_WORK_QUEUE = defineQueue<Record<string, never>>('reconcile-stuck-work', { retryLimit: 0, expireInSeconds: 240 })
export const STUCK_WORK_CRON = '*/5 * * * *'

/**
 * Runs the reconciliation once now (at start: rows a previous process left whose jobs
 * pg-boss has already failed) and then on the schedule. Call it after the features'
 * own recovery (the batch worker resumes its orphans at start), so resumable work is
 * resumed rather than failed.
 */
export async function startStuckWorkReconciliation(deps: ReconcileDeps & { jobs: JobQueue }, tracked: readonly TrackedWork[]): Promise<void> {
  await deps.jobs.work(STUCK_WORK_QUEUE, async () => {
    await reconcileStuckWork(deps, tracked)
  })
  await deps.jobs.schedule(STUCK_WORK_QUEUE, STUCK_WORK_CRON, {}, { tz: 'UTC' })
  await reconcileStuckWork(deps, tracked)
}
