import type { Db } from '../../db/prisma.ts'
import { sqlPoolOf } from '../../db/prisma.ts'
import { UTC_FROM_MS, type Sql } from '../../db/sql.ts'
import { periodStartOf } from './metering-period.ts'

export interface Usage {
  orgId: string
  /** The key used; null for members signed in to the console (their use is the organisation's, in SessionUsage). */
  apiKeyId: string | null
  /** Calls to count (0 when the calls were counted elsewhere, e.g. a batch job's chunks). */
  requests: number
  transactions: number
}

/**
 * Meters use against its key (or the organisation's member sessions) for the calendar
 * month (UTC) `now` falls in: one upsert.
 * Pass the ingest transaction's connection to meter exactly what it commits.
 */
export async function meterUsage(sql: Sql, usage: Usage, now = new Date()): Promise<void> {
  if (usage.apiKeyId === null) {
    await sql.query(
      `INSERT INTO "SessionUsage" ("orgId", "periodStart", "requests", "transactions", "updatedAt")
       VALUES ($1, ${UTC_FROM_MS('$2')}, $3, $4, now())
       ON CONFLICT ("orgId", "periodStart") DO UPDATE
         SET "requests" = "SessionUsage"."requests" + EXCLUDED."requests",
             "transactions" = "SessionUsage"."transactions" + EXCLUDED."transactions",
             "updatedAt" = now()`,
      [usage.orgId, periodStartOf(now).getTime(), usage.requests, usage.transactions],
    )
    return
  }
  await sql.query(
    `INSERT INTO "ApiKeyUsage" ("id", "apiKeyId", "orgId", "periodStart", "requests", "transactions", "updatedAt")
     VALUES (gen_random_uuid(), $1, $2, ${UTC_FROM_MS('$3')}, $4, $5, now())
     ON CONFLICT ("apiKeyId", "periodStart") DO UPDATE
       SET "requests" = "ApiKeyUsage"."requests" + EXCLUDED."requests",
           "transactions" = "ApiKeyUsage"."transactions" + EXCLUDED."transactions",
           "updatedAt" = now()`,
    [usage.apiKeyId, usage.orgId, periodStartOf(now).getTime(), usage.requests, usage.transactions],
  )
}

/** Meters one request and its accepted transactions (outside any transaction). */
export async function recordUsage(db: Db, orgId: string, apiKeyId: string | null, transactions: number, now = new Date()): Promise<void> {
  await meterUsage(sqlPoolOf(db), { orgId, apiKeyId, requests: 1, transactions }, now)
}
