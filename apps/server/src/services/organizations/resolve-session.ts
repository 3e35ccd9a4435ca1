import { AppError } from '@anomalyze/shared'
import type { Credential, OrgClaim, Role, Session, UserIdentity } from '../../auth/session.ts'
import type { Db } from '../../db/prisma.ts'
import { getEntitlements, seatLimitOf } from '../billing/entitlements.ts'
import { ensurePersonalWorkspace } from './workspaces.ts'

/** User rows and personal workspaces this process has already put in place (steady traffic costs no write). */
const known = new Set<string>()

/**
 * Places a verified caller in the organisation it acts in and returns its session.
 *
 * - An API key already belongs to one organisation (its row says which).
 * - A person whose token names no organisation works in their own workspace, whose id
 *   is their user id; it is created, with them as its admin, the first time.
 * - A Clerk token naming an organisation is Clerk vouching for the membership and the
 *   role: an organisation seen for the first time is created, the membership created
 *   (within the plan's seats) or its role brought in line with the token. A membership
 *   an admin removed here stays removed: the token is refused.
 * - A local token naming an organisation needs a membership here.
 *
 * The membership is read on every request, so a role change or a removal applies to
 * the very next call.
 */
export async function resolveSession(db: Db, credential: Credential): Promise<Session> {
  if (credential.kind === 'apikey') {
    const { kind: _kind, ...session } = credential
    return session
  }
  await ensureUser(db, credential)
  const orgId = credential.org?.id ?? credential.userId
  let membership = await db.membership.findUnique({ where: { orgId_userId: { orgId, userId: credential.userId } }, select: { role: true, removedAt: true } })
  if (membership?.removedAt) throw notAMember(orgId)
  if (credential.org === undefined) {
    if (membership === null) {
      await ensurePersonalWorkspace(db, { id: credential.userId, name: credential.name, email: credential.email })
      membership = { role: 'ADMIN', removedAt: null }
    }
  } else if (credential.via === 'clerk') {
    membership = await admitFromClerk(db, credential, credential.org, membership?.role ?? null)
  } else if (membership === null) {
    throw notAMember(orgId)
  }
  return {
    orgId,
    userId: credential.userId,
    role: membership.role,
    email: credential.email,
    name: credential.name,
    via: credential.via,
    scopes: 'all',
  }
}

function notAMember(orgId: string): AppError {
  return new AppError('FORBIDDEN', `You are not a member of organisation ${orgId}`, { orgId })
}

async function ensureUser(db: Db, identity: UserIdentity): Promise<void> {
  if (known.has(identity.userId)) return
  await db.user.upsert({
    where: { id: identity.userId },
    create: { id: identity.userId, email: identity.email ?? null, name: identity.name ?? null },
    update: {},
  })
  known.add(identity.userId)
}

/** Clerk says the person is a member with this role: make it so here (seats permitting for a newcomer). */
async function admitFromClerk(db: Db, identity: UserIdentity, org: OrgClaim, current: Role | null): Promise<{ role: Role; removedAt: null }> {
  const role = org.role ?? 'VIEWER'
  if (current === role) return { role, removedAt: null }
  if (current !== null) {
    await db.membership.update({ where: { orgId_userId: { orgId: org.id, userId: identity.userId } }, data: { role } })
    return { role, removedAt: null }
  }
  await db.organization.upsert({ where: { id: org.id }, create: { id: org.id, name: org.name ?? org.id }, update: {} })
  await assertSeatAvailable(db, org.id)
  await db.membership.upsert({
    where: { orgId_userId: { orgId: org.id, userId: identity.userId } },
    create: { orgId: org.id, userId: identity.userId, role },
    update: {},
  })
  return { role, removedAt: null }
}

/** Refuses a new member when the organisation's plan has no seat left, naming the limit. */
export async function assertSeatAvailable(db: Db, orgId: string): Promise<void> {
  const [entitlements, members] = await Promise.all([getEntitlements(db, orgId), db.membership.count({ where: { orgId, removedAt: null } })])
  const seats = seatLimitOf(entitlements)
  if (members >= seats) {
    throw new AppError(
      'LIMIT_EXCEEDED',
      `Organisation ${orgId} uses all ${seats} seats of its ${entitlements.planName} plan; upgrade or remove a member first`,
      {
        limit: 'seats',
        seats,
        members,
      },
    )
  }
}
