import { sqlPoolOf, type Db } from '../../db/prisma.ts'
import { UTC_FROM_MS } from '../../db/sql.ts'
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
  const sql = sqlPoolOf(db)
  // Commits without waiting for the WAL flush: every call of a key bumps this one row,
  // and holding its lock through an fsync serialised them. A crash may forget a few
  // increments of the current minute, which a rate limit can afford.
  const { rows } = await sql.query<{ count: number }>(
    `WITH async_commit AS (SELECT set_config('synchronous_commit', 'off', true))
     INSERT INTO "RateLimitWindow" ("apiKeyId", "windowStart", "count")
     SELECT $1, ${UTC_FROM_MS('$2')}, 1 FROM async_commit
     ON CONFLICT ("apiKeyId", "windowStart") DO UPDATE SET "count" = "RateLimitWindow"."count" + 1
     RETURNING "count"`,
    [apiKeyId, windowStart.getTime()],
  )
  const count = Number(rows[0]?.count ?? 1)
  if (count === 1) {
    // First request of a new window: the key's older windows are dead weight.
    await sql.query(`DELETE FROM "RateLimitWindow" WHERE "apiKeyId" = $1 AND "windowStart" < ${UTC_FROM_MS('$2')}`, [apiKeyId, windowStart.getTime()])
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
