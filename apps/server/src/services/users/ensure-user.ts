import type { Session } from '../../auth/session.ts'
import type { Db } from '../../db/prisma.ts'

const known = new Set<string>()

/**
 * Creates the User row the first time an identity is seen (Clerk ids are created
 * at Clerk, not here). Remembered per process so that steady traffic costs no write.
 */
export async function ensureUser(db: Db, session: Session): Promise<void> {
  if (known.has(session.userId)) return
  await db.user.upsert({
    where: { id: session.userId },
    create: { id: session.userId, email: session.email ?? null, name: session.name ?? null },
    update: {},
  })
  known.add(session.userId)
}

/** For tests that drop and recreate databases under a running process. */
export function forgetKnownUsers(): void {
  known.clear()
}
