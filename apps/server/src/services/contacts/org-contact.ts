import type { Db } from '../../db/prisma.ts'

/**
 * Where to write to an organisation when it has not said (notification settings
 * without an address, the monthly summary, invoices): its earliest admin who has an
 * e-mail address. For a person's own workspace, that is the person.
 */
export async function orgContactEmail(db: Db, orgId: string): Promise<string | null> {
  const admin = await db.membership.findFirst({
    where: { orgId, role: 'ADMIN', removedAt: null, user: { email: { not: null } } },
    orderBy: { createdAt: 'asc' },
    select: { user: { select: { email: true } } },
  })
  return admin?.user.email ?? null
}
