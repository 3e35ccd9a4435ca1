import { z } from 'zod'
import { sqlPoolOf, type Db } from '../../db/prisma.ts'
import { DEFAULT_PLANS } from './plans.ts'

/**
 * What an organisation's plan allows, as cached on `Subscription.features` (one read per
 * check). Organisations without a subscription, and subscriptions that are CANCELED or
 * HALTED past their grace period, get the free plan's entitlements: billing writes
 * the cache when the status changes, so readers never compute plan logic.
 */
export const ZEntitlements = z.object({
  planId: z.string(),
  planName: z.string(),
  monthlyTxQuota: z.number().int(),
  maxApiKeys: z.number().int(),
  /** Seats: members the organisation may have. Optional: caches written before seats existed lack it (plan default applies). */
  maxMembers: z.number().int().optional(),
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
  maxMembers: FREE.maxMembers,
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
  maxMembers: number
  retentionDays: number
  rateLimitPerMinute: number
  features: unknown
}): Entitlements {
  return {
    planId: plan.id,
    planName: plan.name,
    monthlyTxQuota: plan.monthlyTxQuota,
    maxApiKeys: plan.maxApiKeys,
    maxMembers: plan.maxMembers,
    retentionDays: plan.retentionDays,
    rateLimitPerMinute: plan.rateLimitPerMinute,
    features: z.record(z.string(), z.boolean()).parse(plan.features ?? {}),
  }
}

export async function getEntitlements(db: Db, orgId: string, now: Date = new Date()): Promise<Entitlements> {
  // Plain SQL: this read sits on every metered API call (see sqlPoolOf).
  const { rows } = await sqlPoolOf(db).query<{ features: unknown }>('SELECT "features" FROM "Subscription" WHERE "orgId" = $1', [orgId])
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

/** Seats the entitlements allow; a cache from before seats existed gets its plan's default. */
export function seatLimitOf(entitlements: Entitlements): number {
  if (entitlements.maxMembers !== undefined) return entitlements.maxMembers
  return DEFAULT_PLANS.find((plan) => plan.id === entitlements.planId)?.maxMembers ?? FREE.maxMembers
}

export function hasFeature(entitlements: Entitlements, flag: FeatureFlag): boolean {
  return entitlements.features[flag] === true
}
