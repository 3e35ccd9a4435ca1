import { z } from 'zod'
import { AppError, isSafeText, isTimeInRange, zSafeText, zTimeMs } from '@anomalyze/shared'
import type { Db, Prisma } from '../../db/prisma.ts'

export const ZAuditListInput = z
  .object({
    /** Exact action ("billing.plan_change") or a prefix ending in "." ("billing."). */
    action: zSafeText(100, { min: 1 }).optional(),
    entityType: zSafeText(100, { min: 1 }).optional(),
    /** Who: a member's user id, "apikey:<keyId>" or "system" (audit.facets lists them). */
    actor: zSafeText(200, { min: 1 }).optional(),
    /** Epoch ms, inclusive / exclusive (1970..9999: time-bounds.ts). */
    from: zTimeMs().optional(),
    to: zTimeMs().optional(),
    /** nextCursor of the previous page. */
    cursor: z.string().min(1).optional(),
    limit: z.number().int().min(1).max(200).default(50),
  })
  .refine((input) => input.from === undefined || input.to === undefined || input.from < input.to, {
    message: 'must be after "from"',
    path: ['to'],
  })

/** Newest first; the cursor is the last row's (createdAt, id), so rows appended meanwhile never shift a page. */
export async function listAudit(db: Db, orgId: string, input: z.output<typeof ZAuditListInput>) {
  const after = input.cursor === undefined ? null : await cursorRow(db, orgId, input.cursor)
  const where: Prisma.AuditLogWhereInput = {
    orgId,
    ...(input.action === undefined ? {} : input.action.endsWith('.') ? { action: { startsWith: input.action } } : { action: input.action }),
    ...(input.entityType === undefined ? {} : { entityType: input.entityType }),
    ...(input.actor === undefined ? {} : { actor: input.actor }),
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

/**
 * The filter choices the console offers: what this organisation's trail actually
 * contains, the people in it with their names (API keys and the system as they are).
 */
export async function auditFacets(db: Db, orgId: string) {
  const [actions, entityTypes, actors] = await Promise.all([
    db.auditLog.groupBy({ by: ['action'], where: { orgId }, orderBy: { action: 'asc' } }),
    db.auditLog.groupBy({ by: ['entityType'], where: { orgId }, orderBy: { entityType: 'asc' } }),
    db.auditLog.groupBy({ by: ['actor'], where: { orgId }, orderBy: { actor: 'asc' } }),
  ])
  const people = await db.user.findMany({ where: { id: { in: actors.map((row) => row.actor) } }, select: { id: true, name: true, email: true } })
  const nameOf = new Map(people.map((person) => [person.id, person.name ?? person.email ?? person.id]))
  return {
    actions: actions.map((row) => row.action),
    entityTypes: entityTypes.map((row) => row.entityType),
    actors: actors.map(({ actor }) => ({ actor, name: nameOf.get(actor) ?? (actor.startsWith('apikey:') ? `API key ${actor.slice(7)}` : actor) })),
  }
}

function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url')
}

const NOT_A_CURSOR = 'cursor: not a cursor from audit.list; start again without one'

function decodeCursor(cursor: string): { createdAt: Date; id: string } | null {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (!Array.isArray(decoded) || decoded.length !== 2) return null
    const [iso, id] = decoded as unknown[]
    if (typeof iso !== 'string' || typeof id !== 'string' || id.length === 0 || id.length > 100 || !isSafeText(id)) return null
    const createdAt = new Date(iso)
    // Bounded like every instant from outside (time-bounds.ts): year 99999 never reaches Postgres.
    return isTimeInRange(createdAt.getTime()) ? { createdAt, id } : null
  } catch {
    return null
  }
}

/**
 * The position a cursor names, which must be a row of the caller's own trail (as
 * nextCursor gives): anything else, another account's row included, is refused.
 */
async function cursorRow(db: Db, orgId: string, cursor: string): Promise<{ createdAt: Date; id: string }> {
  const after = decodeCursor(cursor)
  const own = after === null ? null : await db.auditLog.findFirst({ where: { id: after.id, orgId, createdAt: after.createdAt }, select: { id: true } })
  if (after === null || own === null) throw new AppError('BAD_INPUT', NOT_A_CURSOR, { field: 'cursor' })
  return after
}
