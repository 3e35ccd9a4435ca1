import { z } from 'zod'
import type { Db } from '../../db/prisma.ts'
import { recordAudit, type AuditActor } from '../audit/record-audit.ts'
import { channelWarnings, type ChannelWarning } from './channel-warnings.ts'
import type { Senders } from './send-alert.ts'
import { isValidTimeZone } from './gate-notification.ts'
import { orgContactEmail } from '../contacts/org-contact.ts'

/**
 * A user's alert settings: read with defaults (no row yet means the schema's
 * defaults), replaced as a whole on save, with the change kept in the audit log.
 */
const ZSeverity = z.enum(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'])
const ZClock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use 24-hour "HH:MM", e.g. 22:00')

export const ZNotificationSettingsInput = z
  .object({
    email: z.email('enter a valid e-mail address').max(254).nullable(),
    phone: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, 'enter the number in international E.164 form, e.g. +919812345678')
      .nullable(),
    emailEnabled: z.boolean(),
    smsEnabled: z.boolean(),
    phoneEnabled: z.boolean(),
    minSeverityForEmail: ZSeverity,
    minSeverityForSms: ZSeverity,
    minSeverityForCall: ZSeverity,
    quietHoursStart: ZClock.nullable(),
    quietHoursEnd: ZClock.nullable(),
    timeZone: z.string().min(1).refine(isValidTimeZone, 'unknown time zone: use an IANA name such as Asia/Kolkata'),
    dailyDigest: z.boolean(),
    monthlyReportEmail: z.boolean(),
  })
  .superRefine((value, ctx) => {
    if ((value.quietHoursStart === null) !== (value.quietHoursEnd === null)) {
      const path = value.quietHoursStart === null ? 'quietHoursStart' : 'quietHoursEnd'
      ctx.addIssue({ code: 'custom', path: [path], message: 'set both ends of quiet hours, or neither' })
    }
    if ((value.smsEnabled || value.phoneEnabled) && value.phone === null) {
      ctx.addIssue({ code: 'custom', path: ['phone'], message: 'SMS and calls need a phone number' })
    }
    if (value.emailEnabled && value.email === null) {
      ctx.addIssue({ code: 'custom', path: ['email'], message: 'e-mail alerts need an e-mail address' })
    }
  })
export type TNotificationSettingsInput = z.infer<typeof ZNotificationSettingsInput>
export type TNotificationSettings = TNotificationSettingsInput & { updatedAt: string | null }

const SELECT = {
  email: true,
  phone: true,
  emailEnabled: true,
  smsEnabled: true,
  phoneEnabled: true,
  minSeverityForEmail: true,
  minSeverityForSms: true,
  minSeverityForCall: true,
  quietHoursStart: true,
  quietHoursEnd: true,
  timeZone: true,
  dailyDigest: true,
  monthlyReportEmail: true,
  updatedAt: true,
} as const

/** The schema's defaults, with the account's e-mail (when it has one) as the address. */
function defaultsFor(accountEmail: string | null): TNotificationSettings {
  return {
    email: accountEmail,
    phone: null,
    emailEnabled: accountEmail !== null,
    smsEnabled: false,
    phoneEnabled: false,
    minSeverityForEmail: 'HIGH',
    minSeverityForSms: 'HIGH',
    minSeverityForCall: 'CRITICAL',
    quietHoursStart: null,
    quietHoursEnd: null,
    timeZone: 'UTC',
    dailyDigest: false,
    monthlyReportEmail: false,
    updatedAt: null,
  }
}

export async function getNotificationSettings(db: Db, orgId: string): Promise<TNotificationSettings> {
  const row = await db.notificationSettings.findUnique({ where: { orgId }, select: SELECT })
  if (row !== null) return { ...row, updatedAt: row.updatedAt.toISOString() }
  return defaultsFor(await orgContactEmail(db, orgId))
}

/** What a read or a save answers: the settings and the channels they use that this server cannot deliver on. */
export type TNotificationSettingsView = TNotificationSettings & { warnings: ChannelWarning[] }

export async function readNotificationSettings(db: Db, senders: Senders, orgId: string): Promise<TNotificationSettingsView> {
  const settings = await getNotificationSettings(db, orgId)
  return { ...settings, warnings: channelWarnings(settings, senders) }
}

/** Saves, then warns (the save stands) about channels turned on that this server has no provider for. */
export async function saveNotificationSettings(
  db: Db,
  senders: Senders,
  actor: AuditActor,
  input: TNotificationSettingsInput,
): Promise<TNotificationSettingsView> {
  const saved = await updateNotificationSettings(db, actor, input)
  return { ...saved, warnings: channelWarnings(saved, senders) }
}

export async function updateNotificationSettings(db: Db, actor: AuditActor, input: TNotificationSettingsInput): Promise<TNotificationSettings> {
  const orgId = actor.orgId
  return db.$transaction(async (tx) => {
    const before = await tx.notificationSettings.findUnique({ where: { orgId }, select: SELECT })
    const saved = await tx.notificationSettings.upsert({
      where: { orgId },
      create: { orgId, ...input },
      update: input,
      select: SELECT,
    })
    const { updatedAt: _before, ...oldData } = before ?? { updatedAt: null }
    const { updatedAt, ...newData } = saved
    await recordAudit(tx, actor, {
      action: 'notification_settings.update',
      entityType: 'NotificationSettings',
      entityId: orgId,
      oldData: before === null ? null : oldData,
      newData,
    })
    return { ...saved, updatedAt: updatedAt.toISOString() }
  })
}
