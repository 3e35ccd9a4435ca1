import { AppError } from '@anomalyze/shared'
import type { Db } from '../../db/prisma.ts'

/**
 * Every decision made on an anomaly, newest first: the one in force and those it
 * superseded (another analyst's decision that came second, a decision synced after
 * going offline, an earlier decision someone reopened). Nothing an analyst decided is
 * lost; this is where it is read back.
 */
export async function decisionHistory(db: Db, orgId: string, anomalyId: string) {
  const anomaly = await db.anomaly.findFirst({ where: { id: anomalyId, orgId }, select: { id: true } })
  if (!anomaly) throw new AppError('NOT_FOUND', `No anomaly with id ${anomalyId}`)
  const labels = await db.anomalyLabel.findMany({
    where: { anomalyId, orgId },
    orderBy: [{ decidedAt: 'desc' }, { mutationId: 'desc' }],
    select: { mutationId: true, label: true, note: true, decidedBy: true, decidedById: true, decidedAt: true, supersededAt: true, createdAt: true },
    take: 500,
  })
  return labels.map((label) => ({
    mutationId: label.mutationId,
    label: label.label,
    note: label.note,
    decidedBy: label.decidedBy,
    decidedById: label.decidedById,
    decidedAt: label.decidedAt.getTime(),
    receivedAt: label.createdAt.getTime(),
    inForce: label.supersededAt === null,
    supersededAt: label.supersededAt?.getTime() ?? null,
  }))
}
