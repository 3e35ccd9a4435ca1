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
 * Statement that counts one request against a key's one-minute window and returns
 * the window's "count" (`key` and `windowMs` are SQL expressions: parameters). It
 * commits without waiting for the WAL flush: every call of a key bumps this one row,
 * and holding its lock through an fsync serialised them. A crash may forget a few
 * increments of the current minute, which a rate limit can afford. The setting
 * covers the statement's whole (autocommit) transaction, so whatever reads share
 * the statement with it must not write anything else.
 */
export function countRequestSql(key: string, windowMs: string): string {
  return `WITH async_commit AS (SELECT set_config('synchronous_commit', 'off', true))
     INSERT INTO "RateLimitWindow" ("apiKeyId", "windowStart", "count")
     SELECT ${key}, ${UTC_FROM_MS(windowMs)}, 1 FROM async_commit
     ON CONFLICT ("apiKeyId", "windowStart") DO UPDATE SET "count" = "RateLimitWindow"."count" + 1
     RETURNING "count"`
}

/**
 * Counts one request against the key's current one-minute window and refuses it
 * beyond the plan's `rateLimitPerMinute`. The counter is a row in Postgres, bumped
 * with one upsert, so every server instance behind a load balancer shares it.
 * Fixed windows (not sliding): one row per key and minute, one statement per request.
 */
export async function takeRateLimit(db: Db, apiKeyId: string, entitlements: Entitlements, now = new Date()): Promise<void> {
  const windowStart = windowStartOf(now)
  const { rows } = await sqlPoolOf(db).query<{ count: number }>(countRequestSql('$1', '$2'), [apiKeyId, windowStart.getTime()])
  await checkRequestCount(db, apiKeyId, Number(rows[0]?.count ?? 1), entitlements, windowStart)
}

/**
 * Refuses a request whose window count is past the plan's limit. The first request
 * of a window also clears the key's older windows, which are dead weight.
 */
export async function checkRequestCount(db: Db, apiKeyId: string, count: number, entitlements: Entitlements, windowStart: Date): Promise<void> {
  if (count === 1) {
    await sqlPoolOf(db).query(`DELETE FROM "RateLimitWindow" WHERE "apiKeyId" = $1 AND "windowStart" < ${UTC_FROM_MS('$2')}`, [apiKeyId, windowStart.getTime()])
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
