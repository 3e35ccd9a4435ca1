import { z } from 'zod'
import { AppError } from '@anomalyze/shared'
import type { Db } from '../../db/prisma.ts'
import { recordAudit, type AuditActor } from '../audit/record-audit.ts'
import { effectiveEntitlements, entitlementsOfPlan, FREE_ENTITLEMENTS } from './entitlements.ts'
import { GSTIN_PATTERN } from './gst.ts'
import type { BillingGateway, BillingGatewayProvider } from '../razorpay/razorpay-client.ts'

/**
 * Subscribing, changing plan and cancelling, through Razorpay. The rules:
 * - subscribe: a Razorpay subscription is created (and the Razorpay plan first, once
 *   per plan); the row goes PENDING with the checkout short URL. Entitlements stay as
 *   they were until Razorpay's `subscription.activated` / `charged` webhook says paid.
 * - upgrade (dearer plan): at once. Razorpay changes the plan now and charges the
 *   difference on the existing mandate; entitlements rise immediately (a failed
 *   charge ends in `subscription.halted`, which the webhook handles).
 * - downgrade: at the end of the paid period. Razorpay switches the plan at cycle end
 *   and `pendingPlanId` shows it meanwhile; the next `subscription.charged` carries the
 *   new plan id and applies it.
 * - cancel: now (free entitlements at once) or at period end (Razorpay's
 *   `subscription.cancelled` then applies it).
 */
export const ZSubscribeInput = z.object({
  planId: z.string().min(1),
  /** Printed on invoices; state code decides CGST+SGST or IGST. */
  gstin: z.string().trim().toUpperCase().regex(GSTIN_PATTERN, 'must be a 15-character GSTIN such as 29ABCDE1234F1Z5').optional(),
  billingName: z.string().trim().min(1).max(200).optional(),
})

export const ZChangePlanInput = z.object({ planId: z.string().min(1) })
export const ZCancelInput = z.object({ atPeriodEnd: z.boolean().default(true) })

/** Months a subscription runs before Razorpay ends it (Razorpay requires a count). */
const TOTAL_CYCLES = 120

async function paidPlan(db: Db, planId: string) {
  const plan = await db.plan.findUnique({ where: { id: planId } })
  if (!plan || !plan.isPublic) throw new AppError('NOT_FOUND', `No plan "${planId}"`, { planId })
  return plan
}

/** The Razorpay plan for one of ours, created on first use. */
async function razorpayPlanIdFor(
  db: Db,
  gateway: BillingGateway,
  plan: { id: string; name: string; priceMinor: number; currency: string; razorpayPlanId: string | null },
): Promise<string> {
  if (plan.razorpayPlanId !== null) return plan.razorpayPlanId
  const created = await gateway.createPlan({ name: plan.name, amountMinor: plan.priceMinor, currency: plan.currency, localPlanId: plan.id })
  // Two first subscribers at once: the first writer wins, the other Razorpay plan stays unused.
  await db.plan.updateMany({ where: { id: plan.id, razorpayPlanId: null }, data: { razorpayPlanId: created.id } })
  const stored = await db.plan.findUniqueOrThrow({ where: { id: plan.id }, select: { razorpayPlanId: true } })
  return stored.razorpayPlanId ?? created.id
}

export async function subscribe(db: Db, gatewayFor: BillingGatewayProvider, actor: AuditActor, input: z.output<typeof ZSubscribeInput>) {
  const plan = await paidPlan(db, input.planId)
  if (plan.priceMinor === 0)
    throw new AppError('BAD_INPUT', `The ${plan.name} plan needs no subscription: cancel the paid one instead (billing.cancel)`, { planId: plan.id })
  const current = await db.subscription.findUnique({ where: { orgId: actor.orgId } })
  if (current?.status === 'ACTIVE' && current.razorpaySubscriptionId !== null) {
    throw new AppError('CONFLICT', `You already have an active ${current.planId} subscription: change its plan instead (billing.changePlan)`, {
      planId: current.planId,
    })
  }
  const gateway = gatewayFor()
  const razorpayPlanId = await razorpayPlanIdFor(db, gateway, plan)
  const created = await gateway.createSubscription({
    razorpayPlanId,
    totalCount: TOTAL_CYCLES,
    notes: {
      orgId: actor.orgId,
      planId: plan.id,
      ...(input.gstin ? { gstin: input.gstin } : {}),
      ...(input.billingName ? { billingName: input.billingName } : {}),
    },
  })
  // A pending or halted predecessor is abandoned: stop Razorpay from charging it.
  if (current?.razorpaySubscriptionId && (current.status === 'PENDING' || current.status === 'HALTED')) {
    await gateway.cancel(current.razorpaySubscriptionId, false).catch(() => undefined)
  }
  const shortUrl = created.short_url ?? null
  const row = await db.$transaction(async (tx) => {
    const saved = await tx.subscription.upsert({
      where: { orgId: actor.orgId },
      create: { orgId: actor.orgId, planId: plan.id, status: 'PENDING', razorpaySubscriptionId: created.id, shortUrl, features: FREE_ENTITLEMENTS },
      update: {
        planId: plan.id,
        status: 'PENDING',
        razorpaySubscriptionId: created.id,
        shortUrl,
        cancelAtPeriodEnd: false,
        pendingPlanId: null,
        lastEventAt: null,
        canceledAt: null,
      },
    })
    await recordAudit(tx, actor, {
      action: 'billing.subscribe',
      entityType: 'Subscription',
      entityId: saved.id,
      oldData: current ? { planId: current.planId, status: current.status } : null,
      newData: { planId: plan.id, status: 'PENDING', razorpaySubscriptionId: created.id },
    })
    return saved
  })
  return { subscriptionId: row.id, planId: plan.id, status: row.status, shortUrl }
}

export async function changePlan(db: Db, gatewayFor: BillingGatewayProvider, actor: AuditActor, input: z.output<typeof ZChangePlanInput>) {
  const target = await paidPlan(db, input.planId)
  const current = await db.subscription.findUnique({ where: { orgId: actor.orgId }, include: { plan: true } })
  const paidActive = current !== null && current.status === 'ACTIVE' && current.razorpaySubscriptionId !== null
  if (!paidActive) {
    if (target.priceMinor === 0) throw new AppError('CONFLICT', 'You are not on a paid plan', { planId: target.id })
    const started = await subscribe(db, gatewayFor, actor, { planId: target.id })
    return { planId: current?.planId ?? FREE_ENTITLEMENTS.planId, pendingPlanId: null, effective: 'after_payment' as const, shortUrl: started.shortUrl }
  }
  if (target.id === current.planId) throw new AppError('CONFLICT', `You are already on the ${target.name} plan`, { planId: target.id })
  if (target.priceMinor === 0) {
    await cancel(db, gatewayFor, actor, { atPeriodEnd: true })
    return { planId: current.planId, pendingPlanId: target.id, effective: 'period_end' as const, shortUrl: null }
  }
  const gateway = gatewayFor()
  const razorpayPlanId = await razorpayPlanIdFor(db, gateway, target)
  const razorpaySubscriptionId = current.razorpaySubscriptionId as string
  const upgrade = target.priceMinor > current.plan.priceMinor
  await gateway.changePlan(razorpaySubscriptionId, razorpayPlanId, upgrade ? 'now' : 'cycle_end')
  await db.$transaction(async (tx) => {
    await tx.subscription.update({
      where: { id: current.id },
      data: upgrade ? { planId: target.id, features: entitlementsOfPlan(target), pendingPlanId: null, cancelAtPeriodEnd: false } : { pendingPlanId: target.id },
    })
    await recordAudit(tx, actor, {
      action: 'billing.plan_change',
      entityType: 'Subscription',
      entityId: current.id,
      oldData: { planId: current.planId },
      newData: { planId: target.id, effective: upgrade ? 'now' : 'period_end', ...(upgrade ? {} : { at: current.currentPeriodEnd?.toISOString() ?? null }) },
    })
  })
  return upgrade
    ? { planId: target.id, pendingPlanId: null, effective: 'now' as const, shortUrl: null }
    : { planId: current.planId, pendingPlanId: target.id, effective: 'period_end' as const, shortUrl: null }
}

export async function cancel(db: Db, gatewayFor: BillingGatewayProvider, actor: AuditActor, input: z.output<typeof ZCancelInput>) {
  const current = await db.subscription.findUnique({ where: { orgId: actor.orgId } })
  if (!current || current.razorpaySubscriptionId === null || current.status === 'CANCELED') {
    throw new AppError('NOT_FOUND', 'You have no paid subscription to cancel')
  }
  // Only a running subscription can wait for its period end; others end now.
  const atPeriodEnd = input.atPeriodEnd && current.status === 'ACTIVE'
  await gatewayFor().cancel(current.razorpaySubscriptionId, atPeriodEnd)
  const now = new Date()
  const before = effectiveEntitlements(current.features, now)
  await db.$transaction(async (tx) => {
    await tx.subscription.update({
      where: { id: current.id },
      data: atPeriodEnd
        ? { cancelAtPeriodEnd: true, pendingPlanId: null }
        : { status: 'CANCELED', canceledAt: now, features: FREE_ENTITLEMENTS, cancelAtPeriodEnd: false, pendingPlanId: null, shortUrl: null },
    })
    await recordAudit(tx, actor, {
      action: 'billing.cancel',
      entityType: 'Subscription',
      entityId: current.id,
      oldData: { planId: before.planId, status: current.status },
      newData: atPeriodEnd
        ? { planId: before.planId, status: current.status, cancelAtPeriodEnd: true, at: current.currentPeriodEnd?.toISOString() ?? null }
        : { planId: FREE_ENTITLEMENTS.planId, status: 'CANCELED' },
    })
    if (!atPeriodEnd && before.planId !== FREE_ENTITLEMENTS.planId) {
      await recordAudit(tx, actor, {
        action: 'billing.plan_change',
        entityType: 'Subscription',
        entityId: current.id,
        oldData: { planId: before.planId },
        newData: { planId: FREE_ENTITLEMENTS.planId, effective: 'now' },
      })
    }
  })
  return { status: atPeriodEnd ? current.status : ('CANCELED' as const), cancelAtPeriodEnd: atPeriodEnd }
}
