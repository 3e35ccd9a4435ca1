import { randomUUID } from 'node:crypto'
import type { Severity } from '@anomalyze/shared'
import type { Db } from '../../src/db/prisma.ts'
import { ensurePersonalWorkspace } from '../../src/services/organizations/workspaces.ts'

export interface UserFixture {
  userId: string
  transactionIds: string[]
  anomalyIds: string[]
  apiKeyIds: string[]
}

/**
 * A person with a few transactions and an anomaly on each, in their own workspace
 * (organisation id = user id). Anomalies are written
 * directly: these fixtures serve tests of access, paging and sync, not detection.
 */
export async function createUserWithAnomalies(db: Db, userId: string, count = 3): Promise<UserFixture> {
  await ensurePersonalWorkspace(db, { id: userId, name: userId })
  const severities: Severity[] = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']
  const transactionIds: string[] = []
  const anomalyIds: string[] = []
  for (let i = 0; i < count; i += 1) {
    const transaction = await db.transaction.create({
      data: {
        orgId: userId,
        txId: `${userId}-tx-${i}`,
        timestamp: new Date(Date.UTC(2026, 0, 1 + i, 12)),
        amount: 100 + i,
        currency: 'INR',
        accountId: `${userId}-acct`,
        merchantId: `M${i}`,
        source: 'REALTIME_API',
      },
    })
    const anomaly = await db.anomaly.create({
      data: {
        id: randomUUID(),
        orgId: userId,
        transactionId: transaction.id,
        score: 0.5 + i / 10,
        severity: severities[i % severities.length] ?? 'LOW',
        ruleViolations: ['AMOUNT_SPIKE'],
        explanation: `Amount ${100 + i} is far above the account's usual spend`,
      },
    })
    transactionIds.push(transaction.id)
    anomalyIds.push(anomaly.id)
  }
  return { userId, transactionIds, anomalyIds, apiKeyIds: [] }
}
