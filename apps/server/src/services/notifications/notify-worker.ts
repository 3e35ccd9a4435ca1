import type { FailedJob, JobQueue } from '../../jobs/job-queue.ts'
import type { Logger } from '../../logger.ts'
import { defineQueue } from '../../jobs/job-queue.ts'
import type { WorkerDeps } from '../service-deps.ts'
import type { AlertLinks } from './compose-alert.ts'
import { deliverNotifications, type DeliveryDeps, type DeliveryJob } from './deliver-notifications.ts'
import { sendDailyDigests } from './send-daily-digest.ts'
import type { Senders, WebhookUrls } from './send-alert.ts'

/**
 * The 'notify-anomaly' queue: one job per ingested batch (chunked), so a burst is
 * seen whole and can be folded into a summary. pg-boss retries a job whose provider
 * failed with exponential backoff (2 s, 4 s, 8 s...); the last try records FAILED.
 */
export interface NotifyJobData {
  orgId: string
  anomalyIds: string[]
}

export const NOTIFY_QUEUE = defineQueue<NotifyJobData>('notify-anomaly', {
  retryLimit: 4,
  retryDelay: 2,
  retryBackoff: true,
  expireInSeconds: 300,
})

/** Hourly: each user's digest goes out when their own clock reads DIGEST_LOCAL_HOUR. */
export const DIGEST_QUEUE = defineQueue<{ at?: string }>('notify-daily-digest', { retryLimit: 1, retryDelay: 60, expireInSeconds: 900 })

const CHUNK = 500

/**
 * Notify jobs fetched at once. Under load every ingest call that finds anomalies adds
 * a job; fetched one per polling interval they drained at one a second, so alerts fell
 * further behind for as long as more than one call a second found something.
 */
export const NOTIFY_JOBS_PER_FETCH = 20

export interface MergedDelivery {
  delivery: DeliveryJob
  /** Every job folded into `delivery`: they succeed or fail (and retry) together. */
  jobIds: string[]
}

/**
 * Folds a fetch's notify jobs into one delivery per user: one claim transaction for
 * all their anomalies instead of one per job, which also lets a burst spread over many
 * calls be seen whole by the hourly cap. Jobs on their last attempt stay apart from the
 * others, so a provider error turns exactly their rows FAILED.
 */
export function mergeNotifyJobs(jobs: readonly { id: string; data: NotifyJobData; retryCount: number; retryLimit: number }[]): MergedDelivery[] {
  const merged = new Map<string, MergedDelivery>()
  for (const job of jobs) {
    const finalAttempt = job.retryCount >= job.retryLimit
    const key = `${finalAttempt}:${job.data.orgId}`
    const into = merged.get(key)
    if (into === undefined) {
      const delivery = { jobId: job.id, mergedJobIds: [], orgId: job.data.orgId, anomalyIds: [...job.data.anomalyIds], finalAttempt }
      merged.set(key, { delivery, jobIds: [job.id] })
    } else {
      into.delivery.mergedJobIds?.push(job.id)
      into.delivery.anomalyIds.push(...job.data.anomalyIds)
      into.jobIds.push(job.id)
    }
  }
  return [...merged.values()]
}

/**
 * Call after anomalies are stored (realtime ingestion, batch CSV worker). Enqueueing
 * is cheap and never blocks ingestion on a provider.
 */
export async function enqueueAnomalyNotifications(jobs: JobQueue, orgId: string, anomalyIds: string[]): Promise<void> {
  for (let start = 0; start < anomalyIds.length; start += CHUNK) {
    await jobs.send(NOTIFY_QUEUE, { orgId, anomalyIds: anomalyIds.slice(start, start + CHUNK) })
  }
}

/**
 * The ingestion side's one call: enqueues alerts for the anomalies a committed batch
 * created. The batch is already stored, so a queue failure is logged and never turned
 * into an error (a client retrying would only meet duplicates).
 */
export async function notifyAnomalies(jobs: JobQueue, orgId: string, anomalyIds: string[], log: Pick<Logger, 'error'>): Promise<void> {
  if (anomalyIds.length === 0) return
  try {
    await enqueueAnomalyNotifications(jobs, orgId, anomalyIds)
  } catch (error) {
    log.error({ err: error, orgId, anomalies: anomalyIds.length }, 'alerts not enqueued for stored anomalies')
  }
}

export function alertLinks(publicUrl: () => string): AlertLinks {
  return {
    deepLink: (id) => `anomalyze://anomaly/${encodeURIComponent(id)}`,
    webLink: (id) => `${publicUrl()}/anomalies/${encodeURIComponent(id)}`,
  }
}

export function webhookUrls(publicUrl: () => string): WebhookUrls {
  return {
    status: (logId) => `${publicUrl()}/webhooks/twilio/status?logId=${encodeURIComponent(logId)}`,
    voiceAck: (logId) => `${publicUrl()}/webhooks/twilio/voice/ack?logId=${encodeURIComponent(logId)}`,
  }
}

export function deliveryDepsFor(deps: WorkerDeps, senders: Senders): DeliveryDeps {
  return {
    db: deps.db,
    log: deps.log.child({ component: 'notifications' }),
    senders,
    links: alertLinks(deps.publicUrl),
    webhooks: webhookUrls(deps.publicUrl),
    maxPerHour: deps.env.NOTIFY_MAX_PER_HOUR,
  }
}

export async function registerNotificationWorkers(deps: WorkerDeps): Promise<void> {
  const senders: Senders = { mailer: deps.mailer, twilio: deps.twilio }
  if (senders.mailer === null) deps.log.info('notifications: e-mail off (SMTP_HOST unset); e-mail alerts are logged as SKIPPED')
  if (senders.twilio === null) deps.log.info('notifications: SMS and calls off (TWILIO_* unset); they are logged as SKIPPED')
  const delivery = deliveryDepsFor(deps, senders)
  await deps.jobs.workBatch(NOTIFY_QUEUE, NOTIFY_JOBS_PER_FETCH, async (jobs) => {
    const failed: FailedJob[] = []
    for (const { delivery: job, jobIds } of mergeNotifyJobs(jobs)) {
      try {
        await deliverNotifications(delivery, job)
      } catch (error) {
        const reason = error instanceof Error ? error : new Error(String(error))
        for (const id of jobIds) failed.push({ id, error: reason })
      }
    }
    return failed
  })
  await deps.jobs.work(DIGEST_QUEUE, async (job) => {
    const sent = await sendDailyDigests(
      { db: deps.db, log: delivery.log, mailer: senders.mailer, links: delivery.links },
      new Date(job.data.at ?? job.createdOn),
    )
    delivery.log.info({ sent }, 'daily digests done')
  })
  await deps.jobs.schedule(DIGEST_QUEUE, '0 * * * *', {})
}
