import { randomUUID } from 'node:crypto'
import { sqlPoolOf, type Db, type Prisma } from '../../db/prisma.ts'
import { inSqlTransaction, UTC_FROM_MS, type SqlRunner } from '../../db/sql.ts'
import type { Logger } from '../../logger.ts'
import { getEntitlements } from '../billing/entitlements.ts'
import type { AlertAnomaly, AlertLinks } from './compose-alert.ts'
import { CHANNELS, gateNotification, type Channel, type SeverityLevel } from './gate-notification.ts'
import { getNotificationSettings } from './notification-settings.ts'
import { sendAlert, unavailableReason, type AlertTarget, type Senders, type WebhookUrls } from './send-alert.ts'

/**
 * Delivers the alerts of one batch of anomalies, in two steps per channel:
 *
 * 1. Claim (one transaction for all channels, serialised per user by an advisory lock):
 *    every anomaly without a log row for a channel gets one, QUEUED (to send),
 *    SKIPPED (gated, with the reason) or SKIPPED as folded into a summary row when the
 *    hourly cap is reached. The unique (anomalyId, channel) index makes the row the
 *    claim: a concurrent worker, or a second job for the same anomaly, finds it taken.
 * 2. Send: the QUEUED rows this job claimed (metadata.claimedBy = job id, stable over
 *    the job's retries) go out; a provider error leaves the row QUEUED with the error,
 *    attempts counted, and fails the job so pg-boss retries with backoff; on the last
 *    attempt the row turns FAILED with the provider's error kept.
 */
export interface DeliveryJob {
  /** Rows this delivery claims carry this id (metadata.claimedBy). */
  jobId: string
  /**
   * Other jobs folded into this delivery (see notify-worker): the rows they claimed on
   * an earlier attempt are sent too, as their own retry would have.
   */
  mergedJobIds?: string[]
  orgId: string
  anomalyIds: string[]
  /** The last attempt pg-boss will make: failures become FAILED instead of a retry. */
  finalAttempt: boolean
}

export interface DeliveryDeps {
  db: Db
  log: Logger
  senders: Senders
  links: AlertLinks
  webhooks: WebhookUrls
  maxPerHour: number
  now?: () => Date
}

export class ProviderErrors extends Error {
  override readonly name = 'ProviderErrors'
}

export async function deliverNotifications(deps: DeliveryDeps, job: DeliveryJob): Promise<void> {
  const { db } = deps
  const log = deps.log.child({ jobId: job.jobId, orgId: job.orgId })
  const now = deps.now?.() ?? new Date()
  const sql = sqlPoolOf(db)
  const [settings, entitlements, rows] = await Promise.all([
    getNotificationSettings(db, job.orgId),
    getEntitlements(db, job.orgId),
    loadAlertAnomalies(sql, job.orgId, job.anomalyIds),
  ])
  // Most severe first: they get the individual messages when the cap is near.
  const anomalies = rows.sort((x, y) => rank(y.severity) - rank(x.severity) || y.score - x.score)

  await claimChannels(deps, job, anomalies, settings, entitlements, now, log)

  const failures: string[] = []
  const { rows: claimed } = await sql.query<{ id: string; channel: Channel; anomalyId: string | null; metadata: Prisma.JsonValue }>(
    `SELECT "id", "channel"::text AS "channel", "anomalyId", "metadata" FROM "NotificationLog"
     WHERE "orgId" = $1 AND "status" = 'QUEUED' AND "metadata"->>'claimedBy' = ANY($2::text[])`,
    [job.orgId, [job.jobId, ...(job.mergedJobIds ?? [])]],
  )
  // In the order they were claimed: the most severe first, a summary after the individual ones.
  const position = new Map(anomalies.map((a, i) => [a.id, i]))
  claimed.sort((x, y) => (position.get(x.anomalyId ?? '') ?? Infinity) - (position.get(y.anomalyId ?? '') ?? Infinity))
  for (const channel of CHANNELS) {
    for (const row of claimed.filter((r) => r.channel === channel)) {
      const ids = row.anomalyId === null ? idsOf(row.metadata) : [row.anomalyId]
      const target = { logId: row.id, email: settings.email, phone: settings.phone, anomalies: anomalies.filter((a) => ids.includes(a.id)) }
      const outcome = await sendClaimedRow(deps, job, channel, row.id, target)
      if (outcome !== null) failures.push(`${channel}: ${outcome}`)
    }
  }
  // Thrown after every channel had its turn, so one provider being down never holds back the others.
  if (failures.length > 0 && !job.finalAttempt) throw new ProviderErrors(failures.join('; '))
}

/**
 * Sends one claimed row while holding its row lock (FOR UPDATE SKIP LOCKED): a second
 * worker on the same job (pg-boss re-fetching an expired job) finds it locked or no
 * longer QUEUED and sends nothing. Returns the provider's error, or null.
 */
async function sendClaimedRow(deps: DeliveryDeps, job: DeliveryJob, channel: Channel, logId: string, target: AlertTarget): Promise<string | null> {
  const log = deps.log.child({ jobId: job.jobId, orgId: job.orgId, channel, logId })
  return deps.db.$transaction(
    async (tx) => {
      const locked = await tx.$queryRaw<{ attempts: number }[]>`
        SELECT attempts FROM "NotificationLog" WHERE id = ${logId} AND status = 'QUEUED' FOR UPDATE SKIP LOCKED`
      const current = locked[0]
      if (current === undefined) return null
      const attempts = current.attempts + 1
      try {
        const receipt = await sendAlert(channel, target, deps.senders, deps.links, deps.webhooks)
        const row = await tx.notificationLog.findUniqueOrThrow({ where: { id: logId }, select: { metadata: true } })
        await tx.notificationLog.update({
          where: { id: logId },
          data: {
            status: 'SENT',
            attempts,
            providerMessageId: receipt.providerMessageId,
            error: null,
            metadata: { ...metadataOf(row.metadata), provider: receipt.response as Prisma.InputJsonObject },
          },
        })
        log.info({ anomalies: target.anomalies.length, providerMessageId: receipt.providerMessageId, attempts }, 'alert sent')
        return null
      } catch (error) {
        const message = describeProviderError(error)
        await tx.notificationLog.update({
          where: { id: logId },
          data: { status: job.finalAttempt ? 'FAILED' : 'QUEUED', attempts, error: message },
        })
        log.warn({ attempts, finalAttempt: job.finalAttempt, error: message }, 'alert not sent: provider error')
        return message
      }
    },
    // Long enough for a provider's timeout (Twilio 15 s, SMTP 30 s socket).
    { timeout: 60_000, maxWait: 10_000 },
  )
}

/**
 * Step 1 for every channel at once, in one transaction serialised per user: a job
 * used to make one transaction per channel, and the 20-odd queries of a delivery, at a
 * few per second under real-time ingestion, took CPU from the ingest calls themselves.
 */
async function claimChannels(
  deps: DeliveryDeps,
  job: DeliveryJob,
  anomalies: AlertAnomaly[],
  settings: Awaited<ReturnType<typeof getNotificationSettings>>,
  entitlements: Awaited<ReturnType<typeof getEntitlements>>,
  now: Date,
  log: Logger,
): Promise<void> {
  const decisions = new Map(anomalies.map((a) => [a.id, gateNotification(settings, entitlements, a.severity as SeverityLevel, now)]))
  await inSqlTransaction(sqlPoolOf(deps.db), async (sql) => {
    await sql.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`notify:${job.orgId}`])
    const { rows: taken } = await sql.query<{ key: string }>(
      `SELECT "channel"::text || ':' || "anomalyId" AS "key" FROM "NotificationLog" WHERE "anomalyId" = ANY($1::text[])`,
      [anomalies.map((a) => a.id)],
    )
    const takenKeys = new Set(taken.map((t) => t.key))
    // Sent (or sending) alerts of the last hour. The daily digest is not an alert: it
    // neither uses the hourly allowance nor counts as a summary.
    const { rows: recentAll } = await sql.query<{ channel: Channel; anomalyId: string | null; createdAtMs: number }>(
      `SELECT "channel"::text AS "channel", "anomalyId", (extract(epoch FROM "createdAt" AT TIME ZONE 'UTC') * 1000)::float8 AS "createdAtMs"
       FROM "NotificationLog"
       WHERE "orgId" = $1 AND "status" IN ('QUEUED', 'SENT', 'DELIVERED', 'ACKNOWLEDGED') AND "createdAt" >= ${UTC_FROM_MS('$2')}
         AND ("metadata" IS NULL OR NOT "metadata" ? 'digestDate')`,
      [job.orgId, now.getTime() - 3_600_000],
    )
    const claim = { claimedBy: job.jobId }
    const rows: NewLogRow[] = []

    for (const channel of CHANNELS) {
      const unavailable = unavailableReason(channel, deps.senders)
      const toSend: AlertAnomaly[] = []
      for (const anomaly of anomalies) {
        if (takenKeys.has(`${channel}:${anomaly.id}`)) continue
        const decision = decisions.get(anomaly.id)?.find((d) => d.channel === channel)
        if (decision !== undefined && !decision.send) rows.push(skippedRow(anomaly.id, channel, decision.reason))
        else if (unavailable !== null) rows.push(skippedRow(anomaly.id, channel, unavailable))
        else toSend.push(anomaly)
      }
      const recent = recentAll.filter((r) => r.channel === channel)
      const room = Math.max(0, deps.maxPerHour - recent.length)
      for (const a of toSend.slice(0, room)) rows.push({ id: randomUUID(), anomalyId: a.id, channel, status: 'QUEUED', error: null, metadata: claim })
      const overflow = toSend.slice(room)
      if (overflow.length > 0) {
        // Past the cap a burst becomes one summary; once a summary went out this hour, the rest waits in the console.
        const earlierSummary = recent.find((r) => r.anomalyId === null)
        if (earlierSummary === undefined) {
          const summaryId = randomUUID()
          rows.push({ id: summaryId, anomalyId: null, channel, status: 'QUEUED', error: null, metadata: { ...claim, anomalyIds: overflow.map((a) => a.id) } })
          for (const a of overflow) rows.push(skippedRow(a.id, channel, `hourly cap of ${deps.maxPerHour} reached: folded into summary ${summaryId}`))
        } else {
          const at = new Date(earlierSummary.createdAtMs).toISOString()
          for (const a of overflow) rows.push(skippedRow(a.id, channel, `hourly cap of ${deps.maxPerHour} reached and a summary already went out at ${at}`))
        }
      }
    }
    if (rows.length === 0) return
    // One statement for every row; the unique (anomalyId, channel) index keeps a row
    // another job wrote first (the claim), as Prisma's skipDuplicates did.
    await sql.query(
      `INSERT INTO "NotificationLog" ("id", "orgId", "anomalyId", "channel", "status", "error", "metadata", "createdAt", "updatedAt")
       SELECT r."id", $1, r."anomalyId", r."channel"::"NotificationChannel", r."status"::"NotificationStatus", r."error", r."metadata",
              ${UTC_FROM_MS('$3')}, ${UTC_FROM_MS('$3')}
       FROM jsonb_to_recordset($2::jsonb) AS r("id" text, "anomalyId" text, "channel" text, "status" text, "error" text, "metadata" jsonb)
       ON CONFLICT DO NOTHING`,
      [job.orgId, JSON.stringify(rows), Date.now()],
    )
    for (const row of rows) {
      if (row.status === 'SKIPPED') log.info({ channel: row.channel, anomalyId: row.anomalyId, reason: row.error }, 'alert skipped')
    }
  })
}

interface NewLogRow {
  id: string
  anomalyId: string | null
  channel: Channel
  status: 'QUEUED' | 'SKIPPED'
  error: string | null
  metadata: Record<string, unknown> | null
}

function skippedRow(anomalyId: string, channel: Channel, reason: string): NewLogRow {
  return { id: randomUUID(), anomalyId, channel, status: 'SKIPPED', error: reason, metadata: null }
}

/** The job's anomalies with their transactions, as alerts show them (amounts to 2 decimals, like Decimal.toFixed(2)). */
async function loadAlertAnomalies(sql: SqlRunner, orgId: string, ids: string[]): Promise<AlertAnomaly[]> {
  const { rows } = await sql.query<AlertAnomaly>(
    `SELECT a."id", a."severity"::text AS "severity", a."score", a."explanation", a."ruleViolations",
            t."txId", round(t."amount", 2)::text AS "amount", t."currency", t."merchantId", t."accountId"
     FROM "Anomaly" a JOIN "Transaction" t ON t."id" = a."transactionId"
     WHERE a."orgId" = $1 AND a."id" = ANY($2::text[])`,
    [orgId, ids],
  )
  return rows
}

function metadataOf(value: Prisma.JsonValue): Prisma.InputJsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Prisma.InputJsonObject) : {}
}

function idsOf(value: Prisma.JsonValue): string[] {
  const ids = metadataOf(value).anomalyIds
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : []
}

/** The provider's own words: Twilio's RestException carries status, code and message; SMTP its reply. */
export function describeProviderError(error: unknown): string {
  if (error === null || typeof error !== 'object') return String(error)
  const e = error as { status?: unknown; code?: unknown; message?: unknown; responseCode?: unknown; moreInfo?: unknown }
  const parts = [
    typeof e.status === 'number' ? `HTTP ${e.status}` : null,
    e.code !== undefined ? `code ${String(e.code)}` : null,
    typeof e.responseCode === 'number' ? `SMTP ${e.responseCode}` : null,
    typeof e.message === 'string' ? e.message : null,
  ].filter((p): p is string => p !== null)
  return parts.length > 0 ? parts.join(': ') : String(error)
}

function rank(severity: string): number {
  return ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'].indexOf(severity)
}
