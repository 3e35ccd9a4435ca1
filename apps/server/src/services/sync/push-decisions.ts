import { statusForLabel, type TDecisionInput, type TPushOutput } from '@anomalyze/shared'
import type { Db } from '../../db/prisma.ts'

type PushResult = TPushOutput['results'][number]

export interface Decider {
  userId: string
  /** Shown in the decision history. */
  name: string
  ip?: string | undefined
  userAgent?: string | undefined
}

/**
 * Applies analyst decisions from a desktop outbox. Each decision is stored once
 * (its client mutationId is unique); the latest decision by `decidedAt` (ties: the
 * larger mutationId) sets the anomaly's status. See the conflict rule in
 * packages/shared/src/sync/contract.ts.
 */
export async function pushDecisions(db: Db, decider: Decider, decisions: TDecisionInput[]): Promise<TPushOutput> {
  const results: PushResult[] = []
  for (const decision of decisions) results.push(await applyDecision(db, decider, decision))
  return { results }
}

async function applyDecision(db: Db, decider: Decider, decision: TDecisionInput): Promise<PushResult> {
  return db.$transaction(async (tx) => {
    // Lock the anomaly so that concurrent decisions on it are decided one at a time.
    const locked = await tx.$queryRaw<{ id: string; status: string }[]>`
      SELECT id, status::text AS status FROM "Anomaly"
      WHERE id = ${decision.anomalyId} AND "userId" = ${decider.userId}
      FOR UPDATE`
    const anomaly = locked[0]
    if (!anomaly) {
      return { mutationId: decision.mutationId, outcome: 'rejected', status: null, reason: `No anomaly with id ${decision.anomalyId}` }
    }
    const seen = await tx.anomalyLabel.findUnique({ where: { mutationId: decision.mutationId }, select: { userId: true } })
    if (seen) {
      const current = await tx.anomaly.findUniqueOrThrow({ where: { id: anomaly.id }, select: { status: true } })
      return { mutationId: decision.mutationId, outcome: 'duplicate', status: current.status }
    }
    await tx.anomalyLabel.create({
      data: {
        userId: decider.userId,
        anomalyId: anomaly.id,
        label: decision.label,
        note: decision.note ?? null,
        decidedBy: decider.name,
        decidedAt: new Date(decision.decidedAt),
        mutationId: decision.mutationId,
      },
    })
    const winner = await tx.anomalyLabel.findFirstOrThrow({
      where: { anomalyId: anomaly.id },
      orderBy: [{ decidedAt: 'desc' }, { mutationId: 'desc' }],
      select: { mutationId: true, label: true },
    })
    if (winner.mutationId !== decision.mutationId) {
      const current = await tx.anomaly.findUniqueOrThrow({ where: { id: anomaly.id }, select: { status: true } })
      return { mutationId: decision.mutationId, outcome: 'superseded', status: current.status }
    }
    const status = statusForLabel(winner.label)
    await tx.anomaly.update({
      where: { id: anomaly.id },
      data: { status, isFalsePositive: status === 'FALSE_POSITIVE' },
    })
    await tx.auditLog.create({
      data: {
        userId: decider.userId,
        actor: decider.userId,
        action: 'anomaly.label',
        entityType: 'Anomaly',
        entityId: anomaly.id,
        oldData: { status: anomaly.status },
        newData: { status, note: decision.note ?? null, mutationId: decision.mutationId },
        ipAddress: decider.ip ?? null,
        userAgent: decider.userAgent ?? null,
      },
    })
    return { mutationId: decision.mutationId, outcome: 'applied', status }
  })
}
