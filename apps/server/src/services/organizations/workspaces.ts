import type { Db } from '../../db/prisma.ts'

export interface Person {
  id: string
  name?: string | null | undefined
  email?: string | null | undefined
}

/**
 * A person and their own workspace: the User row, an organisation whose id is their
 * user id, and their ADMIN membership of it. What a token without an organisation
 * works in, and what the migration to organisations gave every existing user.
 * Idempotent: nothing that exists is changed.
 */
export async function ensurePersonalWorkspace(db: Db, person: Person): Promise<void> {
  const { id } = person
  await db.$transaction([
    db.user.upsert({ where: { id }, create: { id, name: person.name ?? null, email: person.email ?? null }, update: {} }),
    db.organization.upsert({ where: { id }, create: { id, name: person.name ?? person.email ?? id, personal: true }, update: {} }),
    db.membership.upsert({ where: { orgId_userId: { orgId: id, userId: id } }, create: { orgId: id, userId: id, role: 'ADMIN' }, update: {} }),
  ])
}
