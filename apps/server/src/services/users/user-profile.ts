import type { Session } from '../../auth/session.ts'
import type { Db } from '../../db/prisma.ts'

/** Who the console is signed in as (me.get): the account, and how the caller signed in. */
export async function userProfile(db: Db, session: Session) {
  const user = await db.user.findUniqueOrThrow({
    where: { id: session.userId },
    select: { id: true, email: true, name: true, createdAt: true },
  })
  return { ...user, createdAt: user.createdAt.getTime(), mode: session.via }
}
