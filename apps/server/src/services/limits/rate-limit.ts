import type { Db } from '../../db/prisma.ts'
import type { Entitlements } from '../billing/entitlements.ts'
import { limitExceeded } from './limit-error.ts'

const WINDOW_MS = 60_000

/** Start of the fixed one-minute window `now` falls in. */
export function windowStartOf(now: Date): Date {
  return new Date(Math.floor(now.getTime() / WINDOW_MS) * WINDOW_MS)
}

/**
 * Counts one request against the key's current one-minute window and refuses it
 * beyond the plan's `rateLimitPerMinute`. The counter is a row in Postgres, bumped
 * with one upsert, so every server instance behind a load balancer shares it.
 * Fixed windows (not sliding): one row per key and minute, one statement per request.
 */
export async function takeRateLimit(db: Db, apiKeyId: string, entitlements: Entitlements, now = new Date()): Promise<void> {
  const windowStart = windowStartOf(now)
  const rows = await db.$queryRaw<{ count: number }[]>`
    INSERT INTO "RateLimitWindow" ("apiKeyId", "windowStart", "count")
    VALUES (${apiKeyId}, ${windowStart}, 1)
    ON CONFLICT ("apiKeyId", "windowStart") DO UPDATE SET "count" = "RateLimitWindow"."count" + 1
    RETURNING "count"`
  const count = Number(rows[0]?.count ?? 1)
  if (count === 1) {
    // First request of a new window: the key's older windows are dead weight.
    await db.rateLimitWindow.deleteMany({ where: { apiKeyId, windowStart: { lt: windowStart } } })
  }
  const allowed = entitlements.rateLimitPerMinute
  if (count > allowed) {
    throw limitExceeded(`Rate limit reached: this API key may make ${allowed} requests per minute on the ${entitlements.planName} plan.`, {
      limit: 'rate_per_minute',
      allowed,
      current: count,
      resetsAt: new Date(windowStart.getTime() + WINDOW_MS).toISOString(),
      planId: entitlements.planId,
    })
  }
}
