import type { Db } from '../../db/prisma.ts'
import type { ServerEnv } from '../../env.ts'
import { effectiveEntitlements, FREE_ENTITLEMENTS, seatLimitOf, ZEntitlements } from './entitlements.ts'

/** What the console's Billing screen shows: plan, status, this month's usage against quota, the plans on offer. */
export async function billingOverview(db: Db, env: ServerEnv, orgId: string, now = new Date()) {
  const periodStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))
  const [subscription, keyUsage, sessionUsage, activeKeys, members, plans] = await Promise.all([
    db.subscription.findUnique({ where: { orgId }, include: { plan: true } }),
    db.apiKeyUsage.aggregate({ where: { orgId, periodStart }, _sum: { transactions: true, requests: true } }),
    db.sessionUsage.findUnique({ where: { orgId_periodStart: { orgId, periodStart } }, select: { transactions: true, requests: true } }),
    db.apiKey.count({ where: { orgId, revokedAt: null } }),
    db.membership.count({ where: { orgId, removedAt: null } }),
    db.plan.findMany({ where: { isPublic: true }, orderBy: { priceMinor: 'asc' } }),
  ])
  const entitlements = subscription ? effectiveEntitlements(subscription.features, now) : FREE_ENTITLEMENTS
  return {
    billingConfigured: env.RAZORPAY_KEY_ID !== undefined && env.RAZORPAY_KEY_SECRET !== undefined,
    entitlements,
    subscription: subscription && {
      planId: subscription.planId,
      planName: subscription.plan.name,
      status: subscription.status,
      paid: subscription.razorpaySubscriptionId !== null,
      shortUrl: subscription.status === 'PENDING' ? subscription.shortUrl : null,
      currentPeriodEnd: subscription.currentPeriodEnd?.getTime() ?? null,
      cancelAtPeriodEnd: subscription.cancelAtPeriodEnd,
      pendingPlanId: subscription.pendingPlanId,
      haltedAt: subscription.haltedAt?.getTime() ?? null,
      // From the cache itself: after the grace period it still says when it ended.
      graceUntil: ZEntitlements.safeParse(subscription.features).data?.graceUntil ?? null,
    },
    usage: {
      periodStart: periodStart.getTime(),
      transactions: (keyUsage._sum.transactions ?? 0) + (sessionUsage?.transactions ?? 0),
      requests: (keyUsage._sum.requests ?? 0) + (sessionUsage?.requests ?? 0),
      monthlyTxQuota: entitlements.monthlyTxQuota,
      apiKeys: activeKeys,
      maxApiKeys: entitlements.maxApiKeys,
      members,
      maxMembers: seatLimitOf(entitlements),
    },
    plans: plans.map((plan) => ({
      id: plan.id,
      name: plan.name,
      priceMinor: plan.priceMinor,
      currency: plan.currency,
      monthlyTxQuota: plan.monthlyTxQuota,
      maxApiKeys: plan.maxApiKeys,
      retentionDays: plan.retentionDays,
      features: plan.features as Record<string, boolean>,
    })),
  }
}
