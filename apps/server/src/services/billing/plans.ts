import type { Db } from '../../db/prisma.ts'

/**
 * The plans on offer. Seeded at start; prices in paise, GST included (the invoice
 * splits the tax out of the amount charged). Editable in the database afterwards: a
 * seed run only inserts plans that do not exist yet.
 */
export const DEFAULT_PLANS = [
  {
    id: 'free',
    name: 'Free',
    priceMinor: 0,
    monthlyTxQuota: 10_000,
    maxApiKeys: 3,
    maxMembers: 3,
    retentionDays: 30,
    rateLimitPerMinute: 600,
    features: { email_alerts: true, sms_alerts: false, voice_alerts: false, retraining: false, reports_pdf: false },
  },
  {
    id: 'pro',
    name: 'Pro',
    priceMinor: 4_999_00,
    monthlyTxQuota: 1_000_000,
    maxApiKeys: 10,
    maxMembers: 10,
    retentionDays: 365,
    rateLimitPerMinute: 3_000,
    features: { email_alerts: true, sms_alerts: true, voice_alerts: true, retraining: true, reports_pdf: true },
  },
  {
    id: 'business',
    name: 'Business',
    priceMinor: 24_999_00,
    monthlyTxQuota: 20_000_000,
    maxApiKeys: 50,
    maxMembers: 50,
    retentionDays: 730,
    rateLimitPerMinute: 12_000,
    features: { email_alerts: true, sms_alerts: true, voice_alerts: true, retraining: true, reports_pdf: true, sso: true },
  },
] as const

export async function seedPlans(db: Db): Promise<void> {
  for (const plan of DEFAULT_PLANS) {
    await db.plan.upsert({
      where: { id: plan.id },
      create: { ...plan, currency: 'INR', features: plan.features },
      update: {},
    })
  }
}
