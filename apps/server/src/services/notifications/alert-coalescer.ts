import type { JobQueue } from '../../jobs/job-queue.ts'
import type { Logger } from '../../logger.ts'
import { notifyAnomalies } from './notify-worker.ts'

/** How long a real-time call's anomalies wait for others of the same user. */
const GATHER_MS = 250

interface Gathering {
  anomalyIds: string[]
  timer: NodeJS.Timeout
  log: Pick<Logger, 'error'>
}

const pendingByQueue = new WeakMap<JobQueue, Map<string, Gathering>>()

/**
 * Real-time clients often send one transaction per call. Queueing one alert job per
 * call made the notification worker run a delivery (a dozen queries) per anomaly at
 * a hundred calls a second; gathered for a quarter of a second, a burst becomes one
 * job, which is also what lets the worker fold it into a summary. The anomalies are
 * already committed; like any enqueue after commit, alerts of the last moment before
 * a crash can be lost (the daily digest still lists them).
 */
export function notifyAnomaliesSoon(jobs: JobQueue, orgId: string, anomalyIds: string[], log: Pick<Logger, 'error'>): void {
  if (anomalyIds.length === 0) return
  let pending = pendingByQueue.get(jobs)
  if (!pending) {
    pending = new Map()
    pendingByQueue.set(jobs, pending)
  }
  const gathering = pending.get(orgId)
  if (gathering) {
    gathering.anomalyIds.push(...anomalyIds)
    return
  }
  const timer = setTimeout(() => void send(jobs, orgId), GATHER_MS)
  pending.set(orgId, { anomalyIds: [...anomalyIds], timer, log })
}

/** Queues whatever is gathering now (at shutdown, before the job queue stops). */
export async function flushGatheredAlerts(jobs: JobQueue): Promise<void> {
  const pending = pendingByQueue.get(jobs)
  if (!pending) return
  await Promise.all([...pending.keys()].map((orgId) => send(jobs, orgId)))
}

async function send(jobs: JobQueue, orgId: string): Promise<void> {
  const gathering = pendingByQueue.get(jobs)?.get(orgId)
  if (!gathering) return
  clearTimeout(gathering.timer)
  pendingByQueue.get(jobs)?.delete(orgId)
  await notifyAnomalies(jobs, orgId, gathering.anomalyIds, gathering.log)
}
