import { AppError } from '@anomalyze/shared'
import type { AppServices } from '../service-deps.ts'
import type { Db } from '../../db/prisma.ts'
import type { Logger } from '../../logger.ts'
import { getEntitlements, hasFeature } from '../billing/entitlements.ts'
import { RETRAIN_QUEUE } from './training-queue.ts'

export interface StartedTraining {
  id: string
  status: string
  /** True when a training of this user's was already queued or running: that one is returned. */
  alreadyRunning: boolean
}

/**
 * Queues a retraining for the user. Retraining is a plan feature: without it the
 * caller gets LIMIT_EXCEEDED naming the plan. One training at a time per user: a
 * second request returns the one in progress.
 */
export async function startTraining(db: Db, jobs: AppServices['jobs'], orgId: string, trigger: 'MANUAL' | 'LABEL_THRESHOLD'): Promise<StartedTraining> {
  const entitlements = await getEntitlements(db, orgId)
  if (!hasFeature(entitlements, 'retraining')) {
    throw new AppError('LIMIT_EXCEEDED', `Retraining is not included in the ${entitlements.planName} plan; upgrade to retrain models on your labels`, {
      plan: entitlements.planId,
      feature: 'retraining',
    })
  }
  const running = await db.trainingJob.findFirst({ where: { orgId, status: { in: ['QUEUED', 'PROCESSING'] } }, orderBy: { createdAt: 'desc' } })
  if (running) return { id: running.id, status: running.status, alreadyRunning: true }
  const job = await db.trainingJob.create({ data: { orgId, trigger } })
  try {
    await jobs.send(RETRAIN_QUEUE, { trainingJobId: job.id }, { singletonKey: job.id })
  } catch (error) {
    // A QUEUED row without a job would hold every later retrain back ("already running").
    const reason = 'The training could not be queued; start it again'
    await db.trainingJob.update({
      where: { id: job.id },
      data: { status: 'FAILED', failureReason: reason, completedAt: new Date(), report: { decision: 'failed', reason } },
    })
    throw error
  }
  return { id: job.id, status: job.status, alreadyRunning: false }
}

/**
 * The automatic trigger: once RETRAIN_AFTER_LABELS decisions arrived since the
 * user's last training, queue one. Quietly does nothing on plans without retraining.
 */
export async function maybeAutoRetrain(
  db: Db,
  services: Pick<AppServices, 'env' | 'jobs'>,
  orgId: string,
  log?: Pick<Logger, 'info' | 'warn'>,
): Promise<StartedTraining | null> {
  // The decisions are committed already: a failure here is logged, never thrown at the pusher.
  return autoRetrain(db, services, orgId, log).catch((error: unknown) => {
    log?.warn({ orgId, err: error }, 'could not queue the automatic retraining')
    return null
  })
}

async function autoRetrain(
  db: Db,
  services: Pick<AppServices, 'env' | 'jobs'>,
  orgId: string,
  log?: Pick<Logger, 'info' | 'warn'>,
): Promise<StartedTraining | null> {
  const threshold = services.env.RETRAIN_AFTER_LABELS
  if (threshold <= 0) return null
  const last = await db.trainingJob.findFirst({ where: { orgId }, orderBy: { createdAt: 'desc' }, select: { createdAt: true } })
  const fresh = await db.anomalyLabel.count({
    where: { orgId, label: { in: ['CONFIRMED_FRAUD', 'FALSE_POSITIVE'] }, ...(last ? { createdAt: { gt: last.createdAt } } : {}) },
  })
  if (fresh < threshold) return null
  if (!hasFeature(await getEntitlements(db, orgId), 'retraining')) return null
  const started = await startTraining(db, services.jobs, orgId, 'LABEL_THRESHOLD')
  log?.info({ orgId, newLabels: fresh, trainingJobId: started.id }, 'retraining queued after new labels')
  return started
}
