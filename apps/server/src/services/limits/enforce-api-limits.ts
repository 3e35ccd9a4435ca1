import type { Session } from '../../auth/session.ts'
import type { Db } from '../../db/prisma.ts'
import { getEntitlements } from '../billing/entitlements.ts'
import { assertMonthlyQuota } from './monthly-quota.ts'
import { takeRateLimit } from './rate-limit.ts'

/**
 * Limits apply to API usage, i.e. callers authenticated with an API key: that is what
 * plans meter (ApiKeyUsage). People signed in to the console (and local mode, and the
 * demo seed, which calls the ingestion service directly) are not metered, so a local
 * analyst importing their own data never hits the free plan's quota.
 */
export async function enforceApiKeyLimits(db: Db, session: Session, incomingTransactions: number, now = new Date()): Promise<void> {
  if (session.via !== 'apikey' || session.apiKeyId === undefined) return
  const entitlements = await getEntitlements(db, session.userId)
  await takeRateLimit(db, session.apiKeyId, entitlements, now)
  await assertMonthlyQuota(db, session.userId, entitlements, incomingTransactions, now)
}
