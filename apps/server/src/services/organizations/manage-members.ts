import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import { AppError } from '@anomalyze/shared'
import { ROLES, type Role } from '../../auth/session.ts'
import type { Db, Prisma } from '../../db/prisma.ts'
import { recordAudit, type AuditActor } from '../audit/record-audit.ts'
import type { LocalTokenMinter } from '../service-deps.ts'
import { assertSeatAvailable } from './resolve-session.ts'

/** A role as people type it ("analyst", "Admin"): refused with the allowed values otherwise. */
export const ZRole = z.preprocess(
  (value) => (typeof value === 'string' ? value.trim().toUpperCase() : value),
  z.enum(ROLES, { error: () => `must be one of ${ROLES.map((role) => role.toLowerCase()).join(', ')}` }),
)

export const ZAddMemberInput = z.strictObject({
  name: z.string().trim().min(1, 'name is required').max(100),
  email: z.email('must be an e-mail address').max(254).optional(),
  role: ZRole,
})

const memberSelect = {
  userId: true,
  role: true,
  createdAt: true,
  user: { select: { name: true, email: true } },
} as const satisfies Prisma.MembershipSelect

type MemberRow = Prisma.MembershipGetPayload<{ select: typeof memberSelect }>

function toMember(row: MemberRow) {
  return { userId: row.userId, name: row.user.name, email: row.user.email, role: row.role, joinedAt: row.createdAt.getTime() }
}

export type Member = ReturnType<typeof toMember>

/** The organisation's members (removed ones left out), admins first, then by name. */
export async function listMembers(db: Db, orgId: string): Promise<Member[]> {
  const rows = await db.membership.findMany({ where: { orgId, removedAt: null }, select: memberSelect })
  const order: Record<Role, number> = { ADMIN: 0, ANALYST: 1, VIEWER: 2 }
  return rows.map(toMember).sort((a, b) => order[a.role] - order[b.role] || (a.name ?? a.userId).localeCompare(b.name ?? b.userId))
}

/**
 * Adds a teammate in local mode: a new person with a generated id, a membership with
 * `role` (within the plan's seats), and their sign-in token, returned here only.
 * With Clerk, people join through Clerk's invitations (their first sign-in with the
 * organisation active makes them a member here).
 */
export async function addMember(db: Db, tokens: LocalTokenMinter | null, actor: AuditActor, input: z.output<typeof ZAddMemberInput>) {
  if (tokens === null) {
    throw new AppError('CONFLICT', 'This server signs people in with Clerk: invite teammates to the organisation from Clerk instead')
  }
  const orgId = actor.orgId
  await assertSeatAvailable(db, orgId)
  if (input.email !== undefined && (await db.user.findUnique({ where: { email: input.email }, select: { id: true } }))) {
    throw new AppError('CONFLICT', `Someone with the e-mail ${input.email} already exists`, { field: 'email' })
  }
  const userId = `local_${randomBytes(9).toString('base64url')}`
  const row = await db.$transaction(async (tx) => {
    await tx.user.create({ data: { id: userId, name: input.name, email: input.email ?? null } })
    // A person's own workspace with a teammate in it is a team's now (the console stops calling it personal).
    await tx.organization.updateMany({ where: { id: orgId, personal: true }, data: { personal: false } })
    const created = await tx.membership.create({ data: { orgId, userId, role: input.role }, select: memberSelect })
    await recordAudit(tx, actor, { action: 'member.add', entityType: 'Membership', entityId: userId, newData: { name: input.name, role: input.role } })
    return created
  })
  const token = await tokens.mint({ userId, name: input.name, orgId })
  return { member: toMember(row), token }
}

export async function changeMemberRole(db: Db, actor: AuditActor, userId: string, role: Role): Promise<Member> {
  return db.$transaction(async (tx) => {
    const current = await lockMembership(tx, actor.orgId, userId)
    if (current.role === role) return toMember(current)
    if (current.role === 'ADMIN') await assertAnotherAdmin(tx, actor.orgId, userId, 'change the role of')
    const updated = await tx.membership.update({ where: { orgId_userId: { orgId: actor.orgId, userId } }, data: { role }, select: memberSelect })
    await recordAudit(tx, actor, { action: 'member.role', entityType: 'Membership', entityId: userId, oldData: { role: current.role }, newData: { role } })
    return toMember(updated)
  })
}

/**
 * Removes a member: their access ends with their next request. The membership row is
 * kept, marked removed, so a Clerk token still naming the organisation is refused.
 */
export async function removeMember(db: Db, actor: AuditActor, userId: string): Promise<{ removed: true }> {
  return db.$transaction(async (tx) => {
    const current = await lockMembership(tx, actor.orgId, userId)
    if (current.role === 'ADMIN') await assertAnotherAdmin(tx, actor.orgId, userId, 'remove')
    await tx.membership.update({ where: { orgId_userId: { orgId: actor.orgId, userId } }, data: { removedAt: new Date() } })
    await recordAudit(tx, actor, { action: 'member.remove', entityType: 'Membership', entityId: userId, oldData: { role: current.role } })
    return { removed: true as const }
  })
}

/**
 * The member's row, locked with every admin row of the organisation: two admins
 * demoting each other at once cannot leave it without one.
 */
async function lockMembership(tx: Prisma.TransactionClient, orgId: string, userId: string): Promise<MemberRow> {
  await tx.$queryRaw`SELECT 1 FROM "Membership" WHERE "orgId" = ${orgId} AND ("userId" = ${userId} OR "role" = 'ADMIN') FOR UPDATE`
  const row = await tx.membership.findFirst({ where: { orgId, userId, removedAt: null }, select: memberSelect })
  if (!row) throw new AppError('NOT_FOUND', `No member ${userId} in this organisation`)
  return row
}

async function assertAnotherAdmin(tx: Prisma.TransactionClient, orgId: string, userId: string, verb: string): Promise<void> {
  const admins = await tx.membership.count({ where: { orgId, role: 'ADMIN', removedAt: null, userId: { not: userId } } })
  if (admins === 0) {
    throw new AppError('CONFLICT', `Cannot ${verb} the last admin: make another member admin first, so the organisation keeps someone who can manage it`)
  }
}
