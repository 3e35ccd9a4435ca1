import type { Db, Prisma } from '../../db/prisma.ts'
import type { Logger } from '../../logger.ts'
import { getEntitlements, hasFeature } from '../billing/entitlements.ts'
import type { Mailer } from '../email/mailer.ts'
import { composeDigest, toAlertAnomaly, type AlertAnomaly, type AlertLinks } from './compose-alert.ts'
import { describeProviderError } from './deliver-notifications.ts'

/**
 * The daily digest e-mail, sent at DIGEST_LOCAL_HOUR on each user's own clock. An
 * hourly schedule calls this; the digest's log row (EMAIL, no anomaly,
 * metadata.digestDate) is written under a per-user advisory lock first, so each user
 * gets at most one digest per local day, whichever instance runs the schedule.
 */
export const DIGEST_LOCAL_HOUR = 8
const TOP = 10

export interface DigestDeps {
  db: Db
  log: Logger
  mailer: Mailer | null
  links: AlertLinks
}

export async function sendDailyDigests(deps: DigestDeps, now: Date): Promise<number> {
  if (deps.mailer === null) return 0
  const candidates = await deps.db.notificationSettings.findMany({
    where: { dailyDigest: true, email: { not: null } },
    select: { orgId: true, email: true, timeZone: true },
  })
  let sent = 0
  for (const user of candidates) {
    const local = localClock(now, user.timeZone)
    if (local.hour !== DIGEST_LOCAL_HOUR || user.email === null) continue
    if (!hasFeature(await getEntitlements(deps.db, user.orgId), 'email_alerts')) continue
    if (await sendOne(deps, user.orgId, user.email, local.date, now)) sent += 1
  }
  return sent
}

async function sendOne(deps: DigestDeps, orgId: string, email: string, localDate: string, now: Date): Promise<boolean> {
  const since = new Date(now.getTime() - 86_400_000)
  const row = await deps.db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`digest:${orgId}`}))`
    const existing = await tx.notificationLog.findFirst({
      where: { orgId, channel: 'EMAIL', anomalyId: null, metadata: { path: ['digestDate'], equals: localDate } },
      select: { id: true },
    })
    if (existing !== null) return null
    return tx.notificationLog.create({
      data: { orgId, anomalyId: null, channel: 'EMAIL', status: 'QUEUED', attempts: 1, metadata: { digestDate: localDate } },
    })
  })
  if (row === null) return false
  const grouped = await deps.db.anomaly.groupBy({ by: ['severity'], where: { orgId, createdAt: { gte: since } }, _count: { _all: true } })
  const counts = Object.fromEntries(grouped.map((g) => [g.severity, g._count._all]))
  if (grouped.length === 0) {
    await deps.db.notificationLog.update({ where: { id: row.id }, data: { status: 'SKIPPED', attempts: 0, error: 'no anomalies in the last 24 hours' } })
    return false
  }
  const top = await deps.db.anomaly.findMany({
    where: { orgId, createdAt: { gte: since } },
    orderBy: [{ score: 'desc' }, { createdAt: 'desc' }],
    take: TOP,
    include: { transaction: true },
  })
  const anomalies: AlertAnomaly[] = top.map(toAlertAnomaly)
  try {
    const receipt = await (deps.mailer as Mailer).send({ to: email, ...composeDigest(localDate, counts, anomalies, deps.links) })
    await deps.db.notificationLog.update({
      where: { id: row.id },
      data: {
        status: 'SENT',
        providerMessageId: receipt.messageId,
        metadata: { digestDate: localDate, counts, provider: { ...receipt } as Prisma.InputJsonObject },
      },
    })
    deps.log.info({ orgId, localDate, anomalies: anomalies.length }, 'daily digest sent')
    return true
  } catch (error) {
    // Best effort: a digest missed today is superseded by tomorrow's, so it is not retried.
    await deps.db.notificationLog.update({ where: { id: row.id }, data: { status: 'FAILED', error: describeProviderError(error) } })
    deps.log.warn({ orgId, localDate, err: error }, 'daily digest not sent')
    return false
  }
}

function localClock(now: Date, timeZone: string): { hour: number; date: string } {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now)
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '00'
  return { hour: Number(get('hour')), date: `${get('year')}-${get('month')}-${get('day')}` }
}
