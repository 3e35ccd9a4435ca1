import { randomUUID } from 'node:crypto'
import type { Db } from '../../src/db/prisma.ts'

/** `count` transactions of an existing organisation, each with an OPEN anomaly (written directly, as test/helpers/fixtures.ts does). */
export async function addAnomalies(db: Db, orgId: string, count: number, tag = 'fz'): Promise<{ anomalyIds: string[]; transactionIds: string[] }> {
  const anomalyIds: string[] = []
  const transactionIds: string[] = []
  for (let i = 0; i < count; i += 1) {
    const transaction = await db.transaction.create({
      data: {
        orgId,
        txId: `${tag}-${randomUUID()}`,
        timestamp: new Date(Date.UTC(2026, 0, 1 + i, 12)),
        amount: 100 + i,
        currency: 'INR',
        accountId: `${tag}-acct-${i % 3}`,
        merchantId: `${tag}-m-${i % 4}`,
        source: 'REALTIME_API',
      },
    })
    const anomaly = await db.anomaly.create({
      data: {
        id: randomUUID(),
        orgId,
        transactionId: transaction.id,
        score: 0.9,
        severity: 'HIGH',
        ruleViolations: ['AMOUNT_SPIKE'],
        explanation: `Amount ${100 + i} is far above the account's usual spend`,
      },
    })
    transactionIds.push(transaction.id)
    anomalyIds.push(anomaly.id)
  }
  return { anomalyIds, transactionIds }
}
