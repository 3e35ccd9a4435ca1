import type { TSyncAnomaly } from '@anomalyze/shared'
import type { Prisma } from '../../db/prisma.ts'
import { transactionSelect, toTransactionDto } from '../transactions/find-transactions.ts'

/** What leaves the server for an anomaly: never more columns than this. */
export const anomalySelect = {
  id: true,
  score: true,
  severity: true,
  ruleViolations: true,
  explanation: true,
  explanationData: true,
  modelVersion: true,
  status: true,
  isFalsePositive: true,
  caseId: true,
  createdAt: true,
  updatedAt: true,
  transaction: { select: transactionSelect },
  // The decision in force: superseded ones stay in the history (anomalies.history).
  labels: {
    where: { supersededAt: null },
    select: { label: true, note: true, decidedBy: true, decidedAt: true, mutationId: true, decidedById: true },
    orderBy: [{ decidedAt: 'desc' }, { mutationId: 'desc' }],
    take: 1,
  },
} satisfies Prisma.AnomalySelect

export type AnomalyRow = Prisma.AnomalyGetPayload<{ select: typeof anomalySelect }>

export function toSyncAnomaly(row: AnomalyRow): TSyncAnomaly {
  const tx = toTransactionDto(row.transaction)
  const latest = row.labels[0]
  return {
    id: row.id,
    transaction: {
      id: tx.id,
      txId: tx.txId,
      timestamp: tx.timestamp,
      amount: tx.amount,
      currency: tx.currency,
      accountId: tx.accountId,
      merchantId: tx.merchantId,
      category: tx.category,
      country: tx.country,
      channel: tx.channel,
    },
    score: row.score,
    severity: row.severity,
    ruleViolations: row.ruleViolations,
    explanation: row.explanation,
    explanationData: row.explanationData ?? null,
    modelVersion: row.modelVersion,
    status: row.status,
    isFalsePositive: row.isFalsePositive,
    latestDecision: latest
      ? {
          label: latest.label,
          note: latest.note,
          decidedBy: latest.decidedBy,
          decidedAt: latest.decidedAt.getTime(),
          mutationId: latest.mutationId,
          decidedById: latest.decidedById,
        }
      : null,
    caseId: row.caseId,
    createdAt: row.createdAt.getTime(),
    updatedAt: row.updatedAt.getTime(),
  }
}
