import { sqlPoolOf, type Db } from '../../db/prisma.ts'
import { inSqlTransaction } from '../../db/sql.ts'
import type { JobQueue } from '../../jobs/job-queue.ts'
import type { Logger } from '../../logger.ts'
import { enqueueCaseNotice } from './case-queues.ts'
import { msOf, OPEN_CASE_STATUS_SQL, timestampOfMs } from './case-sql.ts'

export interface SlaSweepDeps {
  db: Db
  jobs: JobQueue
  log: Pick<Logger, 'info' | 'warn'>
}

/** Cases claimed per transaction: a backlog (a server down for hours) goes in bounded steps. */
export const SLA_SWEEP_BATCH = 500

interface Claimed {
  id: string
  orgId: string
  assigneeId: string | null
  dueAtMs: number
}

/**
 * Marks every open, unmerged case due at or before `now` and not yet told as
 * breached: breachNotifiedAt = now, a `sla_breached` event by "Anomalyze" with the due
 * time, a fresh updatedAt (consoles pull the change), and one notice, all in one
 * transaction per batch. The claim is the UPDATE itself (... WHERE breachNotifiedAt IS
 * NULL RETURNING, rows taken FOR UPDATE SKIP LOCKED): two instances sweeping at once
 * each mark a case at most once between them, and the notice is enqueued through the
 * same transaction (pg-boss on its connection), so a marked case always has its
 * notice and a rolled-back one has none.
 */
export async function sweepSlaBreaches(deps: SlaSweepDeps, now: Date = new Date()): Promise<{ breached: number }> {
  let breached = 0
  for (;;) {
    const claimed = await inSqlTransaction(sqlPoolOf(deps.db), async (client) => {
      const { rows } = await client.query<Claimed>(
        `WITH due AS (
           SELECT "id" FROM "Case"
           WHERE "status" IN ${OPEN_CASE_STATUS_SQL} AND "mergedIntoId" IS NULL AND "breachNotifiedAt" IS NULL
             AND "dueAt" <= ${timestampOfMs('$1')}
           ORDER BY "dueAt", "id" LIMIT $3 FOR UPDATE SKIP LOCKED
         ), claimed AS (
           UPDATE "Case" c SET "breachNotifiedAt" = ${timestampOfMs('$1')}, "updatedAt" = ${timestampOfMs('$2')}
           FROM due WHERE c."id" = due."id" AND c."breachNotifiedAt" IS NULL
           RETURNING c."id", c."orgId", c."assigneeId", c."dueAt"
         ), events AS (
           INSERT INTO "CaseEvent" ("id", "orgId", "caseId", "kind", "actorId", "actorName", "at", "data", "createdAt")
           SELECT gen_random_uuid()::text, "orgId", "id", 'sla_breached', NULL, 'Anomalyze', ${timestampOfMs('$1')},
                  jsonb_build_object('dueAt', round(extract(epoch FROM "dueAt") * 1000)::bigint), ${timestampOfMs('$2')}
           FROM claimed
         )
         SELECT "id", "orgId", "assigneeId", ${msOf('"dueAt"')} AS "dueAtMs" FROM claimed`,
        [now.getTime(), Date.now(), SLA_SWEEP_BATCH],
      )
      const executor = { executeSql: (text: string, values: unknown[]) => client.query(text, values) }
      for (const row of rows) {
        await enqueueCaseNotice(deps.jobs, { orgId: row.orgId, caseId: row.id, kind: 'sla_breached', assigneeId: row.assigneeId }, { db: executor })
      }
      return rows
    })
    breached += claimed.length
    if (claimed.length < SLA_SWEEP_BATCH) return { breached }
  }
}
