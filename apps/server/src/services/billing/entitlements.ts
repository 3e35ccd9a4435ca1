import { z } from 'zod'
import { sqlPoolOf, type Db } from '../../db/prisma.ts'
import { DEFAULT_PLANS } from './plans.ts'

/**
 * What a user's plan allows, as cached on `Subscription.features` (one read per
 * check). Users without a subscription, and subscriptions that are CANCELED or
 * HALTED past their grace period, get the free plan's entitlements: billing writes
 * the cache when the status changes, so readers never compute plan logic.
 */
export const ZEntitlements = z.object({
  planId: z.string(),
  planName: z.string(),
  monthlyTxQuota: z.number().int(),
  maxApiKeys: z.number().int(),
  retentionDays: z.number().int(),
  rateLimitPerMinute: z.number().int(),
  features: z.record(z.string(), z.boolean()),
  /**
   * Set while a HALTED subscription is in its grace period (epoch ms): the paid
   * entitlements hold until then, free ones after. Computed once at the halt, so the
   * fallback needs no job and no clock on the writer's side.
   */
  graceUntil: z.number().int().nullable().optional(),
})
export type Entitlements = z.infer<typeof ZEntitlements>

export type FeatureFlag = 'email_alerts' | 'sms_alerts' | 'voice_alerts' | 'retraining' | 'reports_pdf' | (string & {})

const FREE = DEFAULT_PLANS[0]

export const FREE_ENTITLEMENTS: Entitlements = {
  planId: FREE.id,
  planName: FREE.name,
  monthlyTxQuota: FREE.monthlyTxQuota,
  maxApiKeys: FREE.maxApiKeys,
  retentionDays: FREE.retentionDays,
  rateLimitPerMinute: FREE.rateLimitPerMinute,
  features: { ...FREE.features },
}

/** Builds the cache value for a plan row (billing writes it onto the subscription). */
export function entitlementsOfPlan(plan: {
  id: string
  name: string
  monthlyTxQuota: number
  maxApiKeys: number
  retentionDays: number
  rateLimitPerMinute: number
  features: unknown
}): Entitlements {
  return {
    planId: plan.id,
    planName: plan.name,
    monthlyTxQuota: plan.monthlyTxQuota,
    maxApiKeys: plan.maxApiKeys,
    retentionDays: plan.retentionDays,
    rateLimitPerMinute: plan.rateLimitPerMinute,
    features: z.record(z.string(), z.boolean()).parse(plan.features ?? {}),
  }
}

export async function getEntitlements(db: Db, userId: string, now: Date = new Date()): Promise<Entitlements> {
  // Plain SQL: this read sits on every metered API call (see sqlPoolOf).
  const { rows } = await sqlPoolOf(db).query<{ features: unknown }>('SELECT "features" FROM "Subscription" WHERE "userId" = $1', [userId])
  const subscription = rows[0]
  if (subscription === undefined) return FREE_ENTITLEMENTS
  return effectiveEntitlements(subscription.features, now)
}

/** The cache as it applies at `now`: a lapsed grace period means free. */
export function effectiveEntitlements(cached: unknown, now: Date = new Date()): Entitlements {
  const parsed = ZEntitlements.safeParse(cached)
  // A cache written by an older version falls back to free rather than failing requests.
  if (!parsed.success) return FREE_ENTITLEMENTS
  const { graceUntil } = parsed.data
  if (graceUntil != null && now.getTime() >= graceUntil) return FREE_ENTITLEMENTS
  return parsed.data
}

export function hasFeature(entitlements: Entitlements, flag: FeatureFlag): boolean {
  return entitlements.features[flag] === true
}
