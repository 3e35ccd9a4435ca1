import type { Db } from '../../db/prisma.ts'

/** Meters a request against its key for the current calendar month (UTC). */
export async function recordUsage(db: Db, userId: string, apiKeyId: string, transactions: number, now = new Date()): Promise<void> {
  const periodStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))
  await db.apiKeyUsage.upsert({
    where: { apiKeyId_periodStart: { apiKeyId, periodStart } },
    create: { apiKeyId, userId, periodStart, requests: 1, transactions },
    update: { requests: { increment: 1 }, transactions: { increment: transactions } },
  })
}
