import type { Db } from '../../db/prisma.ts'
import { entitlementsOfPlan } from './entitlements.ts'

/**
 * Puts a user on a plan without payment (local mode's demo analyst, support
 * grants): an ACTIVE subscription with the plan's entitlements cached. Leaves a
 * subscription that Razorpay manages alone.
 */
export async function grantPlan(db: Db, orgId: string, planId: string): Promise<void> {
  const plan = await db.plan.findUniqueOrThrow({ where: { id: planId } })
  const features = entitlementsOfPlan(plan)
  await db.subscription.upsert({
    where: { orgId },
    create: { orgId, planId, status: 'ACTIVE', features },
    update: {},
  })
  // An older seed cached bare feature flags; rewrite those, never a paid subscription.
  await db.subscription.updateMany({ where: { orgId, razorpaySubscriptionId: null }, data: { planId, status: 'ACTIVE', features } })
}
