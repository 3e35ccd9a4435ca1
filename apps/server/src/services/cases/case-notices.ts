import { createHash } from 'node:crypto'
import type { Db } from '../../db/prisma.ts'
import type { FailedJob } from '../../jobs/job-queue.ts'
import type { Logger } from '../../logger.ts'
import { composeCaseNoticeEmail, composeCaseNoticeSms, type CaseNoticeContent } from '../email/case-notice-email.ts'
import { describeProviderError } from '../notifications/deliver-notifications.ts'
import type { Senders } from '../notifications/send-alert.ts'
import type { WorkerDeps } from '../service-deps.ts'
import { personName } from './case-person.ts'
import { CASE_MESSAGE_QUEUE, CASE_NOTICE_QUEUE, SLA_SWEEP_CRON, SLA_SWEEP_QUEUE, type CaseMessage, type CaseNotice } from './case-queues.ts'
import { sweepSlaBreaches } from './sla-sweep.ts'

export { enqueueCaseNotice } from './case-queues.ts'
export type { CaseMessage, CaseNotice }

/**
 * Telling people about cases: the assignee when a case is assigned to them or passes
 * its due time (the organisation's admins when a breached case has nobody), by e-mail,
 * and by SMS to the organisation's alert number for a CRITICAL or HIGH breach when its
 * notification settings have SMS on.
 *
 * Two queues: a notice (one per event, enqueued by case actions and the SLA sweep)
 * becomes one message job per recipient and channel, and each message is sent and
 * retried on its own, so a provider failing for one recipient never sends another
 * recipient's e-mail twice. What cannot be sent at all (no mailer, no address) is
 * logged and dropped, never retried.
 */

/** Jobs fetched at once by the notice and message workers. */
const NOTICES_PER_FETCH = 20
const MESSAGES_PER_FETCH = 10

/** Breaches of these priorities also go out by SMS (when the organisation has SMS on). */
const SMS_PRIORITIES = new Set(['CRITICAL', 'HIGH'])

export interface NoticePlan {
  messages: CaseMessage[]
  /** Deliveries that cannot happen, and why (logged). */
  skipped: string[]
}

/** The messages a notice becomes: who, over which channel, saying what. */
export async function planCaseMessages(db: Db, senders: Senders, publicUrl: () => string, notice: CaseNotice): Promise<NoticePlan> {
  const skipped: string[] = []
  const found = await db.case.findFirst({
    where: { id: notice.caseId, orgId: notice.orgId },
    select: {
      entityType: true,
      entityId: true,
      priority: true,
      status: true,
      dueAt: true,
      assigneeId: true,
      assignee: { select: { name: true, email: true } },
    },
  })
  if (found === null) return { messages: [], skipped: [`case ${notice.caseId} not found in ${notice.orgId}`] }

  const recipients: string[] = []
  let assigneeName: string | null = null
  if (notice.assigneeId !== null) {
    const member = await db.membership.findFirst({
      where: { orgId: notice.orgId, userId: notice.assigneeId, removedAt: null },
      select: { user: { select: { name: true, email: true } } },
    })
    assigneeName = personName(notice.assigneeId, member?.user ?? null)
    if (member === null) skipped.push(`EMAIL: ${notice.assigneeId} is not a member of the organisation`)
    else if (member.user.email === null) skipped.push(`EMAIL: ${assigneeName} has no e-mail address`)
    else recipients.push(member.user.email)
  } else if (notice.kind === 'sla_breached') {
    const admins = await db.membership.findMany({
      where: { orgId: notice.orgId, role: 'ADMIN', removedAt: null, user: { email: { not: null } } },
      orderBy: { createdAt: 'asc' },
      select: { user: { select: { email: true } } },
    })
    recipients.push(...admins.map((a) => a.user.email!))
    if (recipients.length === 0) skipped.push('EMAIL: the case is unassigned and no admin has an e-mail address')
  } else {
    skipped.push('EMAIL: an assignment notice without an assignee')
  }

  const content: CaseNoticeContent = {
    kind: notice.kind,
    caseId: notice.caseId,
    entityType: found.entityType,
    entityId: found.entityId,
    priority: found.priority,
    status: found.status,
    dueAt: found.dueAt,
    byName: notice.byName,
    assigneeName,
    link: `${publicUrl()}/cases/${encodeURIComponent(notice.caseId)}`,
  }
  const base = { orgId: notice.orgId, caseId: notice.caseId, kind: notice.kind }
  const messages: CaseMessage[] = []
  if (recipients.length > 0 && senders.mailer === null) skipped.push('EMAIL: e-mail is not configured on this server (SMTP_HOST unset)')
  else {
    const email = composeCaseNoticeEmail(content)
    for (const to of new Set(recipients)) messages.push({ ...base, channel: 'EMAIL', to, ...email })
  }

  if (notice.kind === 'sla_breached' && SMS_PRIORITIES.has(found.priority)) {
    const settings = await db.notificationSettings.findUnique({ where: { orgId: notice.orgId }, select: { smsEnabled: true, phone: true } })
    if (settings?.smsEnabled === true && settings.phone !== null) {
      if (senders.twilio === null) skipped.push('SMS: SMS is not configured on this server (TWILIO_* unset)')
      else messages.push({ ...base, channel: 'SMS', to: settings.phone, text: composeCaseNoticeSms(content) })
    }
  }
  return { messages, skipped }
}

/** Sends one message through the server's mailer or Twilio client; throws the provider's error (the queue retries). */
export async function sendCaseMessage(senders: Senders, message: CaseMessage): Promise<{ providerMessageId: string } | { skipped: string }> {
  if (message.channel === 'EMAIL') {
    if (senders.mailer === null) return { skipped: 'e-mail is not configured on this server (SMTP_HOST unset)' }
    const receipt = await senders.mailer.send({
      to: message.to,
      subject: message.subject ?? 'Anomalyze',
      text: message.text,
      ...(message.html === undefined ? {} : { html: message.html }),
    })
    return { providerMessageId: receipt.messageId }
  }
  if (senders.twilio === null) return { skipped: 'SMS is not configured on this server (TWILIO_* unset)' }
  const sms = await senders.twilio.client.messages.create({ to: message.to, from: senders.twilio.from, body: message.text })
  return { providerMessageId: sms.sid }
}

/**
 * A message job's id, fixed by the notice job and the recipient: a notice job that
 * runs again (a retry after a failure part-way) enqueues nothing twice, since
 * pg-boss keeps the first job with a given id.
 */
export function messageJobId(noticeJobId: string, channel: CaseMessage['channel'], to: string): string {
  const hex = createHash('sha256').update(`${noticeJobId}\n${channel}\n${to}`).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

export async function handleCaseNotice(
  deps: Pick<WorkerDeps, 'db' | 'jobs' | 'mailer' | 'twilio' | 'publicUrl'>,
  log: Logger,
  jobId: string,
  notice: CaseNotice,
): Promise<number> {
  const senders: Senders = { mailer: deps.mailer, twilio: deps.twilio }
  const plan = await planCaseMessages(deps.db, senders, deps.publicUrl, notice)
  for (const reason of plan.skipped) log.info({ orgId: notice.orgId, caseId: notice.caseId, kind: notice.kind, reason }, 'case notice skipped')
  for (const message of plan.messages) await deps.jobs.send(CASE_MESSAGE_QUEUE, message, { id: messageJobId(jobId, message.channel, message.to) })
  return plan.messages.length
}

/** The notice and message workers and the SLA sweep (every minute), listed in app/register-workers.ts. */
export async function registerCaseWorkers(deps: WorkerDeps): Promise<void> {
  const log = deps.log.child({ component: 'case-notices' })
  const senders: Senders = { mailer: deps.mailer, twilio: deps.twilio }
  // In batches: a sweep after downtime enqueues a notice per breached case, and one job per polling interval would drain them at a crawl.
  await deps.jobs.workBatch(CASE_NOTICE_QUEUE, NOTICES_PER_FETCH, async (jobs) => {
    const failed: FailedJob[] = []
    for (const job of jobs) {
      try {
        await handleCaseNotice(deps, log, job.id, job.data)
      } catch (error) {
        failed.push({ id: job.id, error: asError(error) })
      }
    }
    return failed
  })
  // Each message fails (and retries) alone: the others of the batch are not sent again.
  await deps.jobs.workBatch(CASE_MESSAGE_QUEUE, MESSAGES_PER_FETCH, async (jobs) => {
    const failed: FailedJob[] = []
    for (const job of jobs) {
      const message = job.data
      const where = { orgId: message.orgId, caseId: message.caseId, kind: message.kind, channel: message.channel }
      try {
        const outcome = await sendCaseMessage(senders, message)
        if ('skipped' in outcome) log.info({ ...where, reason: outcome.skipped }, 'case notice skipped')
        else log.info({ ...where, providerMessageId: outcome.providerMessageId }, 'case notice sent')
      } catch (error) {
        log.warn({ ...where, attempt: job.retryCount + 1, error: describeProviderError(error) }, 'case notice not sent: provider error')
        failed.push({ id: job.id, error: asError(error) })
      }
    }
    return failed
  })
  await deps.jobs.work(SLA_SWEEP_QUEUE, async () => {
    const { breached } = await sweepSlaBreaches({ db: deps.db, jobs: deps.jobs, log }, new Date())
    if (breached > 0) log.info({ breached }, 'case SLA breaches marked')
  })
  await deps.jobs.schedule(SLA_SWEEP_QUEUE, SLA_SWEEP_CRON, {}, { tz: 'UTC' })
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)))
