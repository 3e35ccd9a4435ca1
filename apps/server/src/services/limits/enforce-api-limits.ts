import type { Session } from '../../auth/session.ts'
import { sqlPoolOf, type Db } from '../../db/prisma.ts'
import { unwrittenTransactions } from '../api-keys/realtime-usage.ts'
import { effectiveEntitlements, type Entitlements } from '../billing/entitlements.ts'
import { periodStartOf } from './metering-period.ts'
import { assertQuotaLeft, writtenUsageSql } from './monthly-quota.ts'
import { checkRequestCount, countRequestSql, windowStartOf } from './rate-limit.ts'

/**
 * Limits apply to API usage, i.e. callers authenticated with an API key: that is what
 * plans meter (ApiKeyUsage). People signed in to the console (and local mode, and the
 * demo seed, which calls the ingestion service directly) are not metered, so a local
 * analyst importing their own data never hits the free plan's quota.
 *
 * One round trip for all three: the plan's entitlements, the rate-limit count (this
 * request counted) and the month's written usage come back from one statement. The
 * rate limit is checked first, then the quota for `incomingTransactions`. Returns the
 * entitlements, or null for callers that are not metered.
 */
export async function enforceApiKeyLimits(db: Db, session: Session, incomingTransactions: number, now = new Date()): Promise<Entitlements | null> {
  if (session.via !== 'apikey' || session.apiKeyId === undefined) return null
  const windowStart = windowStartOf(now)
  const { rows } = await sqlPoolOf(db).query<{ features: unknown; count: number; used: number }>(
    `WITH counted AS (${countRequestSql('$2', '$3')})
     SELECT (SELECT "features" FROM "Subscription" WHERE "userId" = $1) AS features,
            (SELECT "count" FROM counted) AS count,
            ${writtenUsageSql('$1', '$4')} AS used`,
    [session.userId, session.apiKeyId, windowStart.getTime(), periodStartOf(now).getTime()],
  )
  const row = rows[0]
  // No subscription row (features null): the free plan, as getEntitlements reads it.
  const entitlements = effectiveEntitlements(row?.features ?? null, now)
  await checkRequestCount(db, session.apiKeyId, Number(row?.count ?? 1), entitlements, windowStart)
  assertQuotaLeft((row?.used ?? 0) + unwrittenTransactions(db, session.userId, now), entitlements, incomingTransactions, now)
  return entitlements
}
