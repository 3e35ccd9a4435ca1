import { permissionsOf } from '../../auth/permissions.ts'
import type { Session } from '../../auth/session.ts'
import type { Db } from '../../db/prisma.ts'

/**
 * Who the console is signed in as (me.get): the person, the organisation they act in
 * with their role and what it lets them do (the console hides or disables the rest),
 * the other organisations they belong to, and how they signed in.
 */
export async function userProfile(db: Db, session: Session) {
  const [user, org, memberships] = await Promise.all([
    session.userId === null || session.via === 'apikey'
      ? null
      : db.user.findUnique({ where: { id: session.userId }, select: { id: true, email: true, name: true, createdAt: true } }),
    db.organization.findUniqueOrThrow({ where: { id: session.orgId }, select: { id: true, name: true, personal: true } }),
    session.userId === null || session.via === 'apikey'
      ? []
      : db.membership.findMany({
          where: { userId: session.userId, removedAt: null },
          select: { role: true, org: { select: { id: true, name: true, personal: true } } },
          orderBy: { createdAt: 'asc' },
        }),
  ])
  return {
    id: user?.id ?? session.userId ?? session.orgId,
    email: user?.email ?? null,
    name: user?.name ?? session.name ?? null,
    createdAt: user?.createdAt.getTime() ?? null,
    mode: session.via,
    org: { ...org, role: session.role },
    permissions: permissionsOf(session),
    organizations: memberships.map((membership) => ({ ...membership.org, role: membership.role })),
  }
}
