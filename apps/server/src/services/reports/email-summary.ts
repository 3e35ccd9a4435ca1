import type { Db } from '../../db/prisma.ts'
import type { Logger } from '../../logger.ts'
import type { Mailer } from '../email/mailer.ts'
import { keyFigureLines } from './render-summary-pdf.ts'
import type { SummaryFigures } from './summary-figures.ts'
import { orgContactEmail } from '../contacts/org-contact.ts'

export interface SummaryEmail {
  orgId: string
  reportId: string
  periodLabel: string
  fileName: string
  pdf: Buffer
  figures: SummaryFigures
}

export type EmailOutcome = 'sent' | 'not-opted-in' | 'no-address' | 'no-smtp' | 'failed'

/**
 * E-mails a scheduled summary as a PDF attachment to a user who opted in
 * (NotificationSettings.monthlyReportEmail). Every attempt that should have gone out
 * leaves a NotificationLog row (SENT with the SMTP reply, SKIPPED or FAILED with why);
 * the report itself stays stored and downloadable whatever happens here.
 */
export async function emailSummaryIfOptedIn(db: Db, mailer: Mailer | null, log: Logger, message: SummaryEmail): Promise<EmailOutcome> {
  const settings = await db.notificationSettings.findUnique({ where: { orgId: message.orgId }, select: { monthlyReportEmail: true, email: true } })
  if (settings?.monthlyReportEmail !== true) return 'not-opted-in'
  const to = settings.email ?? (await orgContactEmail(db, message.orgId))
  const logRow = (status: 'SENT' | 'SKIPPED' | 'FAILED', extra: { error?: string; providerMessageId?: string; metadata?: object }) =>
    db.notificationLog.create({
      data: {
        orgId: message.orgId,
        channel: 'EMAIL',
        status,
        attempts: status === 'SKIPPED' ? 0 : 1,
        error: extra.error ?? null,
        providerMessageId: extra.providerMessageId ?? null,
        metadata: { kind: 'monthly-summary', reportId: message.reportId, ...extra.metadata },
      },
    })
  if (to === null) {
    await logRow('SKIPPED', { error: 'no e-mail address on file' })
    return 'no-address'
  }
  if (mailer === null) {
    log.info({ orgId: message.orgId, reportId: message.reportId }, 'monthly summary stored, not e-mailed: SMTP_HOST is not set')
    await logRow('SKIPPED', { error: 'e-mail is not configured on this server (SMTP_HOST)' })
    return 'no-smtp'
  }
  try {
    const receipt = await mailer.send({
      to,
      subject: `Your Anomalyze summary for ${message.periodLabel}`,
      text: [`Your summary for ${message.periodLabel} is attached.`, '', ...keyFigureLines(message.figures)].join('\n'),
      attachments: [{ filename: message.fileName, content: message.pdf, contentType: 'application/pdf' }],
    })
    await logRow('SENT', { providerMessageId: receipt.messageId, metadata: { response: receipt.response, accepted: receipt.accepted } })
    log.info({ orgId: message.orgId, reportId: message.reportId, messageId: receipt.messageId }, 'monthly summary e-mailed')
    return 'sent'
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    log.warn({ orgId: message.orgId, reportId: message.reportId, err: error }, 'monthly summary e-mail failed')
    await logRow('FAILED', { error: reason.slice(0, 500) })
    return 'failed'
  }
}
