import type { Db } from '../../db/prisma.ts'
import { recordAudit } from './record-audit.ts'

/**
 * Neither Clerk's networkless tokens nor the local token pass through a sign-in
 * endpoint here, so a login is recorded where it shows: the first authenticated
 * request from a device (person + organisation + IP + user agent) after SIGN_IN_GAP_MS
 * without one.
 * A process-level memo keeps steady traffic free of extra queries; the database check
 * keeps restarts and other instances from recording the same sign-in twice.
 */
export const SIGN_IN_GAP_MS = 8 * 3_600_000

const checked = new Map<string, number>()

/** The part of an authenticated session a sign-in record needs (auth/session.ts fits it). */
export interface SignedInCaller {
  orgId: string
  /** The person signing in (a sign-in is theirs, not the organisation's). */
  userId: string | null
  via: string
}

export async function recordSignIn(
  db: Db,
  session: SignedInCaller,
  request: { ip?: string | undefined; userAgent?: string | undefined },
  now: Date = new Date(),
): Promise<boolean> {
  if (session.via === 'apikey' || session.userId === null) return false
  const { orgId, userId } = session
  const device = `${orgId}\u0000${userId}\u0000${request.ip ?? ''}\u0000${request.userAgent ?? ''}`
  const last = checked.get(device)
  if (last !== undefined && now.getTime() - last < SIGN_IN_GAP_MS) return false
  checked.set(device, now.getTime())
  const recent = await db.auditLog.findFirst({
    where: {
      orgId,
      actor: userId,
      action: 'auth.login',
      ipAddress: request.ip ?? null,
      userAgent: request.userAgent ?? null,
      createdAt: { gt: new Date(now.getTime() - SIGN_IN_GAP_MS) },
    },
    select: { id: true },
  })
  if (recent) return false
  await recordAudit(
    db,
    { orgId, userId, ip: request.ip, userAgent: request.userAgent },
    {
      action: 'auth.login',
      entityType: 'User',
      entityId: userId,
      newData: { via: session.via },
    },
  )
  return true
}

/** For tests that reuse user ids across databases. */
export function forgetSignIns(): void {
  checked.clear()
}
