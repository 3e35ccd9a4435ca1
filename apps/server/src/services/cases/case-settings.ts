import { z } from 'zod'
import { AppError, MAX_SLA_MINUTES, MIN_SLA_MINUTES, SEVERITIES, type CaseSla, type Severity, type TCaseSettings, zSafeText } from '@anomalyze/shared'
import type { Role } from '../../auth/session.ts'
import type { Db, Prisma } from '../../db/prisma.ts'
import { recordAudit, type AuditActor } from '../audit/record-audit.ts'
import { personName } from './case-person.ts'
import { loadCaseSla, saveCaseSla } from './case-sla.ts'

/**
 * The organisation's case settings: the SLA per priority, whether new cases go
 * round-robin, and who is on duty for them. Admins change the first two; whether a
 * person is on duty, an admin sets for anyone and an analyst for themself.
 */

const ZSlaMinutes = z
  .number({ error: 'must be a number of minutes' })
  .int({ error: 'must be a whole number of minutes' })
  .min(MIN_SLA_MINUTES, { error: `must be at least ${MIN_SLA_MINUTES} minutes` })
  .max(MAX_SLA_MINUTES, { error: `must be at most ${MAX_SLA_MINUTES} minutes (${MAX_SLA_MINUTES / (24 * 60)} days)` })

export const ZCaseSettingsUpdate = z.strictObject({
  sla: z.strictObject(Object.fromEntries(SEVERITIES.map((s) => [s, ZSlaMinutes.optional()])) as Record<Severity, z.ZodOptional<typeof ZSlaMinutes>>).optional(),
  roundRobin: z.boolean({ error: 'must be true or false' }).optional(),
})
export type TCaseSettingsUpdate = z.output<typeof ZCaseSettingsUpdate>

export const ZSetOnDutyInput = z.strictObject({
  userId: zSafeText(200, { min: 1 }),
  onDuty: z.boolean({ error: 'must be true or false' }),
})
export type TSetOnDutyInput = z.output<typeof ZSetOnDutyInput>

export async function getCaseSettings(db: Db | Prisma.TransactionClient, orgId: string): Promise<TCaseSettings> {
  const [sla, org, onDuty] = await Promise.all([
    loadCaseSla(db, orgId),
    db.organization.findUnique({ where: { id: orgId }, select: { caseRoundRobin: true } }),
    db.membership.findMany({
      where: { orgId, onDuty: true, removedAt: null, role: { in: ['ANALYST', 'ADMIN'] } },
      select: { userId: true, user: { select: { name: true, email: true } } },
    }),
  ])
  const people = onDuty.map((m) => ({ id: m.userId, name: personName(m.userId, m.user) })).sort((a, b) => a.name.localeCompare(b.name) || cmp(a.id, b.id))
  return { sla, roundRobin: org?.caseRoundRobin ?? false, onDuty: people }
}

/** Saves what `input` names (an empty input changes nothing and writes no audit row). */
export async function updateCaseSettings(db: Db, actor: AuditActor, input: TCaseSettingsUpdate): Promise<TCaseSettings> {
  const orgId = actor.orgId
  return db.$transaction(async (tx) => {
    const before = await getCaseSettings(tx, orgId)
    const oldData: Record<string, unknown> = {}
    const newData: Record<string, unknown> = {}
    if (input.sla !== undefined) {
      const next = Object.fromEntries(Object.entries(input.sla).filter(([, minutes]) => minutes !== undefined)) as Partial<CaseSla>
      const saved = await saveCaseSla(tx, orgId, next)
      for (const severity of SEVERITIES) {
        if (saved.sla[severity] === before.sla[severity]) continue
        oldData[`sla.${severity}`] = before.sla[severity]
        newData[`sla.${severity}`] = saved.sla[severity]
      }
      if (saved.recomputed > 0) newData.casesRescheduled = saved.recomputed
    }
    if (input.roundRobin !== undefined && input.roundRobin !== before.roundRobin) {
      await tx.organization.update({ where: { id: orgId }, data: { caseRoundRobin: input.roundRobin } })
      oldData.roundRobin = before.roundRobin
      newData.roundRobin = input.roundRobin
    }
    if (Object.keys(oldData).length > 0) {
      await recordAudit(tx, actor, {
        action: 'cases.settings',
        entityType: 'Organization',
        entityId: orgId,
        oldData: oldData as Prisma.InputJsonObject,
        newData: newData as Prisma.InputJsonObject,
      })
    }
    return getCaseSettings(tx, orgId)
  })
}

/** Who is calling setOnDuty: a member's role (null for an API key). */
export interface OnDutyCaller extends AuditActor {
  kind: 'user' | 'apikey'
  role: Role | null
}

/**
 * Puts a member on or off duty for round-robin cases. An admin sets anyone; an
 * analyst only themself; API keys never (being on duty is a person's say). The
 * person must be a current member, and one going on duty must be able to work cases
 * (a viewer cannot). Taking a viewer off duty is allowed: it only tidies up.
 */
export async function setOnDuty(db: Db, caller: OnDutyCaller, input: TSetOnDutyInput): Promise<TCaseSettings> {
  const orgId = caller.orgId
  if (caller.kind === 'apikey' || caller.userId == null || caller.role === null) {
    throw new AppError('FORBIDDEN', 'Sign in as a member to do this; API keys cannot', { permission: 'cases:work' })
  }
  const self = input.userId === caller.userId
  if (!self && caller.role !== 'ADMIN') {
    throw new AppError(
      'FORBIDDEN',
      `Only an admin can put someone else on or off duty; you are ${caller.role === 'ANALYST' ? 'an analyst' : 'a viewer'} and may change only your own`,
      {
        field: 'userId',
        userId: input.userId,
      },
    )
  }
  return db.$transaction(async (tx) => {
    const member = await tx.membership.findUnique({
      where: { orgId_userId: { orgId, userId: input.userId } },
      select: { role: true, onDuty: true, removedAt: true, user: { select: { name: true, email: true } } },
    })
    if (member === null || member.removedAt !== null) {
      const why = member === null ? 'is not a member of this organisation' : 'was removed from this organisation'
      throw new AppError('NOT_FOUND', `${member === null ? input.userId : personName(input.userId, member.user)} ${why}`, {
        field: 'userId',
        userId: input.userId,
      })
    }
    const name = personName(input.userId, member.user)
    if (input.onDuty && member.role === 'VIEWER') {
      throw new AppError('BAD_INPUT', `${name} is a viewer and cannot work cases: make them an analyst first`, {
        field: 'userId',
        userId: input.userId,
        role: member.role,
      })
    }
    if (member.onDuty !== input.onDuty) {
      await tx.membership.update({ where: { orgId_userId: { orgId, userId: input.userId } }, data: { onDuty: input.onDuty } })
      await recordAudit(tx, caller, {
        action: 'cases.on_duty',
        entityType: 'Membership',
        entityId: input.userId,
        oldData: { onDuty: member.onDuty },
        newData: { onDuty: input.onDuty },
      })
    }
    return getCaseSettings(tx, orgId)
  })
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
