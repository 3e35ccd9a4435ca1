import type { Db } from '../../db/prisma.ts'
import { pickRoundRobinAssignee } from './round-robin.ts'

/**
 * Round-robin for the cases a batch just opened, once the batch committed. Not in the
 * ingest transaction itself: ingestion speaks plain `pg` in two round trips, and the
 * pick (round-robin.ts) is a Prisma transaction serialised per organisation. A case
 * stays unassigned for that moment; one an analyst claimed meanwhile is left to them
 * (the update requires assigneeId to be still null).
 *
 * Called only when the organisation's flag was on when the batch read it (once per batch).
 */
export async function assignNewCasesRoundRobin(db: Db, orgId: string, caseIds: readonly string[]): Promise<{ caseId: string; assigneeId: string }[]> {
  const assigned: { caseId: string; assigneeId: string }[] = []
  for (const caseId of caseIds) {
    const done = await db
      .$transaction(async (tx) => {
        const assignee = await pickRoundRobinAssignee(tx, orgId)
        if (assignee === null) return 'nobody'
        // Claimed meanwhile: left to whoever claimed it (their turn is not spent: this rolls back).
        const taken = await tx.case.updateMany({ where: { id: caseId, orgId, assigneeId: null }, data: { assigneeId: assignee.id } })
        if (taken.count === 0) throw new TakenMeanwhile()
        await tx.caseEvent.create({
          data: {
            orgId,
            caseId,
            kind: 'assigned',
            actorId: null,
            actorName: 'Anomalyze',
            at: new Date(),
            data: { assignee, previous: null, how: 'round_robin' },
          },
        })
        return assignee.id
      })
      .catch((error: unknown) => {
        if (error instanceof TakenMeanwhile) return 'taken'
        throw error
      })
    // Nobody on duty (or the flag was turned off since): the rest would find nobody either.
    if (done === 'nobody') break
    if (done !== 'taken') assigned.push({ caseId, assigneeId: done })
  }
  return assigned
}

class TakenMeanwhile extends Error {}
