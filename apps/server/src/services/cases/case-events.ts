import type { CaseEventKind } from '@anomalyze/shared'
import type { Prisma } from '../../db/prisma.ts'

export interface NewCaseEvent {
  orgId: string
  caseId: string
  kind: CaseEventKind
  /** The member acting; null for the system or an API key. */
  actorId: string | null
  actorName: string
  at: Date
  data: Prisma.InputJsonValue | null
  /** The console action's mutationId (unique per organisation: pushed twice, stored once). */
  mutationId?: string | null
}

/**
 * Appends a line to a case's timeline and bumps the case's updatedAt (the case pull's
 * cursor), so consoles pull the case with its new line. In the caller's transaction.
 */
export async function appendCaseEvent(tx: Prisma.TransactionClient, event: NewCaseEvent): Promise<void> {
  await tx.caseEvent.create({
    data: {
      orgId: event.orgId,
      caseId: event.caseId,
      kind: event.kind,
      actorId: event.actorId,
      actorName: event.actorName,
      at: event.at,
      ...(event.data === null ? {} : { data: event.data }),
      mutationId: event.mutationId ?? null,
    },
  })
  await touchCases(tx, event.orgId, [event.caseId])
}

/** Bumps updatedAt of these cases of the organisation (the pull cursor). */
export async function touchCases(tx: Prisma.TransactionClient, orgId: string, caseIds: readonly string[]): Promise<void> {
  if (caseIds.length === 0) return
  await tx.case.updateMany({ where: { orgId, id: { in: [...caseIds] } }, data: { updatedAt: new Date() } })
}
