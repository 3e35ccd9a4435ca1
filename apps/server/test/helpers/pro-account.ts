import type { Db } from '../../src/db/prisma.ts'
import { ensurePersonalWorkspace } from '../../src/services/organizations/workspaces.ts'
import type { WorkerDeps } from '../../src/services/service-deps.ts'
import { entitlementsOfPlan } from '../../src/services/billing/entitlements.ts'
import { registerTrainingWorkers } from '../../src/services/training/register-training-workers.ts'
import { DEFAULT_PLANS, seedPlans } from '../../src/services/billing/plans.ts'
import { testLogger } from './silent-logger.ts'
import type { TestServices } from './test-services.ts'

/**
 * A person whose own workspace is on the Pro plan (retraining included; rate limit raised so ingesting a
 * generated month never meets it) with the retraining worker running on the queue.
 */
export async function createProAccountWithTraining(db: Db, services: TestServices, user: { id: string; name: string }): Promise<void> {
  await seedPlans(db)
  await ensurePersonalWorkspace(db, user)
  const pro = DEFAULT_PLANS[1]
  await db.subscription.create({
    data: { orgId: user.id, planId: pro.id, status: 'ACTIVE', features: entitlementsOfPlan({ ...pro, rateLimitPerMinute: 3_000 }) },
  })
  const deps: WorkerDeps = { ...services, db, log: testLogger }
  await registerTrainingWorkers(deps)
}

/** Polls a training job until it ends (bounded: 150 s). */
export async function trainingFinished<T extends { status: string }>(get: () => Promise<T>): Promise<T> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const job = await get()
    if (job.status === 'COMPLETED' || job.status === 'FAILED') return job
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error('the training job did not finish within 150 s')
}
