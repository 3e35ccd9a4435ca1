import type { Db, Prisma } from '../../db/prisma.ts'

/** Who did something and from where: the request side of an audit row. */
export interface AuditActor {
  orgId: string
  /** The person acting, when a person acts (stored on what they create: keys, reports, decisions). */
  userId?: string | null | undefined
  /** A user id, "apikey:<keyId>" or "system"; defaults to the person acting (userId), else orgId. */
  actor?: string | undefined
  ip?: string | undefined
  userAgent?: string | undefined
}

export interface AuditEntry {
  action: string
  entityType: string
  entityId?: string | null
  oldData?: Prisma.InputJsonValue | null
  newData?: Prisma.InputJsonValue | null
}

type AuditWriter = Pick<Db, 'auditLog'> | Prisma.TransactionClient

/**
 * Appends one AuditLog row. Pass the transaction client when the change itself is in
 * a transaction, so the change and its record commit together. The table refuses
 * UPDATE and DELETE (migration 0003), so the trail is append-only.
 */
export async function recordAudit(db: AuditWriter, actor: AuditActor, entry: AuditEntry): Promise<void> {
  await db.auditLog.create({
    data: {
      orgId: actor.orgId,
      // In a team the organisation is not who acted: name the person when there is one.
      actor: actor.actor ?? actor.userId ?? actor.orgId,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId ?? null,
      ...(entry.oldData == null ? {} : { oldData: entry.oldData }),
      ...(entry.newData == null ? {} : { newData: entry.newData }),
      ipAddress: actor.ip ?? null,
      userAgent: actor.userAgent ?? null,
    },
  })
}
