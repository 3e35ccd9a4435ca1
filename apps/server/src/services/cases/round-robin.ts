import type { TCasePerson } from '@anomalyze/shared'
import type { Prisma } from '../../db/prisma.ts'
import { personName } from './case-person.ts'
import { nextInTurn } from './round-robin-order.ts'

/** Roles that take cases; a viewer on duty (demoted while on duty) is passed over. */
const TAKES_CASES = ['ANALYST', 'ADMIN'] as const

/**
 * The member a new case goes to when the organisation assigns round-robin: among the
 * members on duty (not removed, analyst or admin), whoever waited longest; their
 * lastAssignedAt is stamped in `tx`. Null when the organisation does not assign
 * round-robin or nobody is on duty (the case stays unassigned).
 *
 * Picks of one organisation are serialised by a transaction-scoped advisory lock: a
 * second caller waits for the first transaction to end and then reads its stamp (each
 * statement reads afresh under READ COMMITTED), so two concurrent new cases never go
 * to the same person in a row. Row locks alone would not do: a waiter on the first
 * pick's row gets that same row back once it is released, its order not re-sorted.
 */
export async function pickRoundRobinAssignee(tx: Prisma.TransactionClient, orgId: string): Promise<TCasePerson | null> {
  // Read before locking: the common case (round-robin off) takes no lock on the ingest path.
  const org = await tx.organization.findUnique({ where: { id: orgId }, select: { caseRoundRobin: true } })
  if (org?.caseRoundRobin !== true) return null
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`case-round-robin:${orgId}`}))`
  const members = await tx.membership.findMany({
    where: { orgId, onDuty: true, removedAt: null, role: { in: [...TAKES_CASES] } },
    select: { userId: true, lastAssignedAt: true, user: { select: { name: true, email: true } } },
  })
  const turn = nextInTurn(
    members.map((m) => ({ ...m, lastAssignedAt: m.lastAssignedAt?.getTime() ?? null })),
    Date.now(),
  )
  if (turn === null) return null
  await tx.membership.update({ where: { orgId_userId: { orgId, userId: turn.pick.userId } }, data: { lastAssignedAt: new Date(turn.at) } })
  return { id: turn.pick.userId, name: personName(turn.pick.userId, turn.pick.user) }
}
