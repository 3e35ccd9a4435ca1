import type { Db, Prisma } from '../../db/prisma.ts'
import type { Logger } from '../../logger.ts'
import { getEntitlements } from '../billing/entitlements.ts'
import { toAlertAnomaly, type AlertAnomaly, type AlertLinks } from './compose-alert.ts'
import { CHANNELS, gateNotification, type Channel, type SeverityLevel } from './gate-notification.ts'
import { getNotificationSettings } from './notification-settings.ts'
import { sendAlert, unavailableReason, type AlertTarget, type Senders, type WebhookUrls } from './send-alert.ts'

/**
 * Delivers the alerts of one batch of anomalies, in two steps per channel:
 *
 * 1. Claim (one transaction, serialised per user and channel by an advisory lock):
 *    every anomaly without a log row for the channel gets one, QUEUED (to send),
 *    SKIPPED (gated, with the reason) or SKIPPED as folded into a summary row when the
 *    hourly cap is reached. The unique (anomalyId, channel) index makes the row the
 *    claim: a concurrent worker, or a second job for the same anomaly, finds it taken.
 * 2. Send: the QUEUED rows this job claimed (metadata.claimedBy = job id, stable over
 *    the job's retries) go out; a provider error leaves the row QUEUED with the error,
 *    attempts counted, and fails the job so pg-boss retries with backoff; on the last
 *    attempt the row turns FAILED with the provider's error kept.
 */
export interface DeliveryJob {
  jobId: string
  userId: string
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

const ACTIVE: Prisma.EnumNotificationStatusFilter = { in: ['QUEUED', 'SENT', 'DELIVERED', 'ACKNOWLEDGED'] }

export async function deliverNotifications(deps: DeliveryDeps, job: DeliveryJob): Promise<void> {
  const { db } = deps
  const log = deps.log.child({ jobId: job.jobId, userId: job.userId })
  const now = deps.now?.() ?? new Date()
  const [settings, entitlements, rows] = await Promise.all([
    getNotificationSettings(db, job.userId),
    getEntitlements(db, job.userId),
    db.anomaly.findMany({ where: { userId: job.userId, id: { in: job.anomalyIds } }, include: { transaction: true } }),
  ])
  // Most severe first: they get the individual messages when the cap is near.
  const anomalies: AlertAnomaly[] = rows
    .map(toAlertAnomaly)
    .sort((x, y) => rank(y.severity) - rank(x.severity) || y.score - x.score)

  for (const channel of CHANNELS) {
    await claimChannel(deps, job, channel, anomalies, settings, entitlements, now, log)
  }

  const failures: string[] = []
  for (const channel of CHANNELS) {
    const claimed = await db.notificationLog.findMany({
      where: { userId: job.userId, channel, status: 'QUEUED', metadata: { path: ['claimedBy'], equals: job.jobId } },
    })
    for (const row of claimed) {
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
async function sendClaimedRow(
  deps: DeliveryDeps,
  job: DeliveryJob,
  channel: Channel,
  logId: string,
  target: AlertTarget,
): Promise<string | null> {
  const log = deps.log.child({ jobId: job.jobId, userId: job.userId, channel, logId })
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

async function claimChannel(
  deps: DeliveryDeps,
  job: DeliveryJob,
  channel: Channel,
  anomalies: AlertAnomaly[],
  settings: Awaited<ReturnType<typeof getNotificationSettings>>,
  entitlements: Awaited<ReturnType<typeof getEntitlements>>,
  now: Date,
  log: Logger,
): Promise<void> {
  const unavailable = unavailableReason(channel, deps.senders)
  await deps.db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`notify:${job.userId}:${channel}`}))`
    const taken = await tx.notificationLog.findMany({
      where: { channel, anomalyId: { in: anomalies.map((a) => a.id) } },
      select: { anomalyId: true },
    })
    const takenIds = new Set(taken.map((t) => t.anomalyId))
    const skipped: { anomalyId: string; reason: string }[] = []
    const toSend: AlertAnomaly[] = []
    for (const anomaly of anomalies) {
      if (takenIds.has(anomaly.id)) continue
      const decision = gateNotification(settings, entitlements, anomaly.severity as SeverityLevel, now).find((d) => d.channel === channel)
      if (decision !== undefined && !decision.send) skipped.push({ anomalyId: anomaly.id, reason: decision.reason })
      else if (unavailable !== null) skipped.push({ anomalyId: anomaly.id, reason: unavailable })
      else toSend.push(anomaly)
    }

    const hourAgo = new Date(now.getTime() - 3_600_000)
    // The daily digest is not an alert: it neither uses the hourly allowance nor counts as a summary.
    const recent = (
      await tx.notificationLog.findMany({
        where: { userId: job.userId, channel, status: ACTIVE, createdAt: { gte: hourAgo } },
        select: { anomalyId: true, createdAt: true, metadata: true },
      })
    ).filter((r) => metadataOf(r.metadata).digestDate === undefined)
    const room = Math.max(0, deps.maxPerHour - recent.length)
    const individual = toSend.slice(0, room)
    const overflow = toSend.slice(room)
    const claim = { claimedBy: job.jobId }

    if (individual.length > 0) {
      await tx.notificationLog.createMany({
        data: individual.map((a) => ({ userId: job.userId, anomalyId: a.id, channel, status: 'QUEUED' as const, metadata: claim })),
        skipDuplicates: true,
      })
    }
    if (overflow.length > 0) {
      // Past the cap a burst becomes one summary; once a summary went out this hour, the rest waits in the console.
      const earlierSummary = recent.find((r) => r.anomalyId === null)
      if (earlierSummary === undefined) {
        const summary = await tx.notificationLog.create({
          data: { userId: job.userId, anomalyId: null, channel, status: 'QUEUED', metadata: { ...claim, anomalyIds: overflow.map((a) => a.id) } },
        })
        for (const a of overflow) skipped.push({ anomalyId: a.id, reason: `hourly cap of ${deps.maxPerHour} reached: folded into summary ${summary.id}` })
      } else {
        const at = earlierSummary.createdAt.toISOString()
        for (const a of overflow) skipped.push({ anomalyId: a.id, reason: `hourly cap of ${deps.maxPerHour} reached and a summary already went out at ${at}` })
      }
    }
    if (skipped.length > 0) {
      await tx.notificationLog.createMany({
        data: skipped.map((s) => ({ userId: job.userId, anomalyId: s.anomalyId, channel, status: 'SKIPPED' as const, error: s.reason })),
        skipDuplicates: true,
      })
      for (const s of skipped) log.info({ channel, anomalyId: s.anomalyId, reason: s.reason }, 'alert skipped')
    }
  })
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
