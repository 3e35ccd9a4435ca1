import type { Session } from '../../auth/session.ts'
import { sqlPoolOf, type Db } from '../../db/prisma.ts'
import { unwrittenTransactions } from './realtime-usage.ts'
import { effectiveEntitlements, type Entitlements } from '../billing/entitlements.ts'
import { isLimitExceeded } from './limit-error.ts'
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
  try {
    return await checkLimits(db, session.orgId, session.apiKeyId, incomingTransactions, now)
  } catch (error) {
    if (isLimitExceeded(error)) rememberRefusal(session.apiKeyId, now.getTime())
    throw error
  }
}

/** Keys refused lately, by when (epoch ms): see mustCheckLimitsFirst. Per process. */
const refusedAt = new Map<string, number>()
const CHECK_FIRST_FOR_MS = 60_000

/**
 * Whether a call should wait for its limit check before doing any work. Ingestion
 * runs the check alongside its first round trip and commits only once it passes,
 * which saves a round trip per call; but a refused call then did that work for
 * nothing, so a key refused in the last minute (a client past its limit, retrying)
 * is checked first again.
 */
export function mustCheckLimitsFirst(session: Session, nowMs = Date.now()): boolean {
  if (session.via !== 'apikey' || session.apiKeyId === undefined) return false
  const at = refusedAt.get(session.apiKeyId)
  return at !== undefined && nowMs - at < CHECK_FIRST_FOR_MS
}

function rememberRefusal(apiKeyId: string, nowMs: number): void {
  refusedAt.set(apiKeyId, nowMs)
  if (refusedAt.size > 10_000) {
    for (const [key, at] of refusedAt) if (nowMs - at >= CHECK_FIRST_FOR_MS) refusedAt.delete(key)
  }
}

async function checkLimits(db: Db, orgId: string, apiKeyId: string, incomingTransactions: number, now: Date): Promise<Entitlements> {
  const windowStart = windowStartOf(now)
  const { rows } = await sqlPoolOf(db).query<{ features: unknown; count: number; used: number }>(
    `WITH counted AS (${countRequestSql('$2', '$3')})
     SELECT (SELECT "features" FROM "Subscription" WHERE "orgId" = $1) AS features,
            (SELECT "count" FROM counted) AS count,
            ${writtenUsageSql('$1', '$4')} AS used`,
    [orgId, apiKeyId, windowStart.getTime(), periodStartOf(now).getTime()],
  )
  const row = rows[0]
  // No subscription row (features null): the free plan, as getEntitlements reads it.
  const entitlements = effectiveEntitlements(row?.features ?? null, now)
  await checkRequestCount(db, apiKeyId, Number(row?.count ?? 1), entitlements, windowStart)
  assertQuotaLeft((row?.used ?? 0) + unwrittenTransactions(db, orgId, now), entitlements, incomingTransactions, now)
  return entitlements
}
