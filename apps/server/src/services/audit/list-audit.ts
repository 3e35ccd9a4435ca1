import { z } from 'zod'
import { AppError } from '@anomalyze/shared'
import type { Db, Prisma } from '../../db/prisma.ts'

export const ZAuditListInput = z
  .object({
    /** Exact action ("billing.plan_change") or a prefix ending in "." ("billing."). */
    action: z.string().trim().min(1).max(100).optional(),
    entityType: z.string().trim().min(1).max(100).optional(),
    /** Epoch ms, inclusive / exclusive. */
    from: z.number().int().nonnegative().optional(),
    to: z.number().int().nonnegative().optional(),
    /** nextCursor of the previous page. */
    cursor: z.string().min(1).optional(),
    limit: z.number().int().min(1).max(200).default(50),
  })
  .refine((input) => input.from === undefined || input.to === undefined || input.from < input.to, {
    message: 'must be after "from"',
    path: ['to'],
  })

/** Newest first; the cursor is the last row's (createdAt, id), so rows appended meanwhile never shift a page. */
export async function listAudit(db: Db, userId: string, input: z.output<typeof ZAuditListInput>) {
  const after = input.cursor === undefined ? null : decodeCursor(input.cursor)
  const where: Prisma.AuditLogWhereInput = {
    userId,
    ...(input.action === undefined ? {} : input.action.endsWith('.') ? { action: { startsWith: input.action } } : { action: input.action }),
    ...(input.entityType === undefined ? {} : { entityType: input.entityType }),
    ...(input.from === undefined && input.to === undefined
      ? {}
      : { createdAt: { ...(input.from === undefined ? {} : { gte: new Date(input.from) }), ...(input.to === undefined ? {} : { lt: new Date(input.to) }) } }),
    ...(after === null ? {} : { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] }),
  }
  const rows = await db.auditLog.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: input.limit + 1 })
  const page = rows.slice(0, input.limit)
  const last = page[page.length - 1]
  return {
    items: page.map((row) => ({
      id: row.id,
      actor: row.actor,
      action: row.action,
      entityType: row.entityType,
      entityId: row.entityId,
      oldData: row.oldData,
      newData: row.newData,
      ipAddress: row.ipAddress,
      userAgent: row.userAgent,
      createdAt: row.createdAt.getTime(),
    })),
    nextCursor: rows.length > input.limit && last ? encodeCursor(last.createdAt, last.id) : null,
  }
}

/** The filter choices the console offers: what this user's trail actually contains. */
export async function auditFacets(db: Db, userId: string) {
  const [actions, entityTypes] = await Promise.all([
    db.auditLog.groupBy({ by: ['action'], where: { userId }, orderBy: { action: 'asc' } }),
    db.auditLog.groupBy({ by: ['entityType'], where: { userId }, orderBy: { entityType: 'asc' } }),
  ])
  return { actions: actions.map((row) => row.action), entityTypes: entityTypes.map((row) => row.entityType) }
}

function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url')
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [iso, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string]
    const createdAt = new Date(iso)
    if (Number.isNaN(createdAt.getTime()) || typeof id !== 'string') throw new Error('bad cursor')
    return { createdAt, id }
  } catch {
    throw new AppError('BAD_INPUT', 'cursor: not a cursor from audit.list; start again without one', { field: 'cursor' })
  }
}
