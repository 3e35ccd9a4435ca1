import type { Session } from '../../auth/session.ts'
import { sqlPoolOf, type Db } from '../../db/prisma.ts'
import { unwrittenTransactions } from './realtime-usage.ts'
import { effectiveEntitlements, type Entitlements } from '../billing/entitlements.ts'
import { isLimitExceeded } from './limit-error.ts'
import { periodStartOf } from './metering-period.ts'
import { assertQuotaLeft, writtenUsageSql } from './monthly-quota.ts'
import { checkRequestCount, countRequestSql, windowStartOf } from './rate-limit.ts'

/**
 * The plan's limits on ingestion, for every caller: an API key's calls are rate limited
 * per key and metered on the key (ApiKeyUsage); members signed in to the console share
 * one rate-limit bucket per organisation (`members:<orgId>`) and their use is metered on
 * the organisation (SessionUsage). The monthly quota counts both together. (The demo
 * seed calls the ingestion service directly and is not metered.)
 *
 * One round trip for all three: the plan's entitlements, the rate-limit count (this
 * request counted) and the month's written usage come back from one statement. The
 * rate limit is checked first, then the quota for `incomingTransactions`. Returns the
 * entitlements.
 */
export async function enforceUsageLimits(db: Db, session: Session, incomingTransactions: number, now = new Date()): Promise<Entitlements> {
  const bucket = rateLimitBucketOf(session)
  try {
    return await checkLimits(db, session.orgId, bucket, incomingTransactions, now)
  } catch (error) {
    if (isLimitExceeded(error)) rememberRefusal(bucket, now.getTime())
    throw error
  }
}

/** The rate-limit counter a caller's requests go to: its key, or its organisation's members together. */
export function rateLimitBucketOf(session: Pick<Session, 'orgId' | 'apiKeyId'>): string {
  return session.apiKeyId ?? `members:${session.orgId}`
}

/** Rate-limit buckets refused lately, by when (epoch ms): see mustCheckLimitsFirst. Per process. */
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
  const at = refusedAt.get(rateLimitBucketOf(session))
  return at !== undefined && nowMs - at < CHECK_FIRST_FOR_MS
}

function rememberRefusal(bucket: string, nowMs: number): void {
  refusedAt.set(bucket, nowMs)
  if (refusedAt.size > 10_000) {
    for (const [key, at] of refusedAt) if (nowMs - at >= CHECK_FIRST_FOR_MS) refusedAt.delete(key)
  }
}

async function checkLimits(db: Db, orgId: string, bucket: string, incomingTransactions: number, now: Date): Promise<Entitlements> {
  const windowStart = windowStartOf(now)
  const { rows } = await sqlPoolOf(db).query<{ features: unknown; count: number; used: number }>(
    `WITH counted AS (${countRequestSql('$2', '$3')})
     SELECT (SELECT "features" FROM "Subscription" WHERE "orgId" = $1) AS features,
            (SELECT "count" FROM counted) AS count,
            ${writtenUsageSql('$1', '$4')} AS used`,
    [orgId, bucket, windowStart.getTime(), periodStartOf(now).getTime()],
  )
  const row = rows[0]
  // No subscription row (features null): the free plan, as getEntitlements reads it.
  const entitlements = effectiveEntitlements(row?.features ?? null, now)
  await checkRequestCount(db, bucket, Number(row?.count ?? 1), entitlements, windowStart)
  assertQuotaLeft((row?.used ?? 0) + unwrittenTransactions(db, orgId, now), entitlements, incomingTransactions, now)
  return entitlements
}
