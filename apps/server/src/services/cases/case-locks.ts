import type { TCasePerson } from '@anomalyze/shared'
import type { Prisma } from '../../db/prisma.ts'
import { personName } from './case-person.ts'
import type { CaseState } from './case-rules.ts'

/**
 * Locks cases of the organisation (FOR UPDATE, in id order: every path that locks several
 * cases takes them in this order, so two of them never wait on each other in a circle)
 * and reads them as CaseState. An id of another organisation, or of no case, is absent
 * from the result: tenants are kept apart by the query itself.
 */
export async function lockCases(
  tx: Prisma.TransactionClient,
  orgId: string,
  ids: readonly string[],
): Promise<Map<string, CaseState & { entityType: string; entityId: string }>> {
  const rows = await tx.$queryRawUnsafe<
    {
      id: string
      status: CaseState['status']
      assigneeId: string | null
      closedById: string | null
      mergedIntoId: string | null
      entityType: string
      entityId: string
    }[]
  >(
    `SELECT "id", "status"::text AS "status", "assigneeId", "closedById", "mergedIntoId", "entityType"::text AS "entityType", "entityId"
     FROM "Case" WHERE "orgId" = $1 AND "id" = ANY($2::text[]) ORDER BY "id" FOR UPDATE`,
    orgId,
    [...new Set(ids)],
  )
  const people = await peopleByIds(
    tx,
    rows.flatMap((r) => [r.assigneeId, r.closedById]).filter((id): id is string => id !== null),
  )
  const byId = new Map<string, CaseState & { entityType: string; entityId: string }>()
  for (const row of rows) {
    byId.set(row.id, {
      id: row.id,
      status: row.status,
      assignee: row.assigneeId === null ? null : (people.get(row.assigneeId) ?? { id: row.assigneeId, name: row.assigneeId }),
      closedBy: row.closedById === null ? null : (people.get(row.closedById) ?? { id: row.closedById, name: row.closedById }),
      mergedIntoId: row.mergedIntoId,
      entityType: row.entityType,
      entityId: row.entityId,
    })
  }
  return byId
}

/** People as a case shows them (name, else e-mail, else id). */
export async function peopleByIds(tx: Prisma.TransactionClient, ids: readonly string[]): Promise<Map<string, TCasePerson>> {
  if (ids.length === 0) return new Map()
  const users = await tx.user.findMany({ where: { id: { in: [...new Set(ids)] } }, select: { id: true, name: true, email: true } })
  return new Map(users.map((u) => [u.id, { id: u.id, name: personName(u.id, u) }]))
}
