import type { TTransaction } from '@anomalyze/shared'
import type { Db } from '../../db/prisma.ts'

/** What an analyst last decided about a transaction's anomaly, if anything. */
export type Decision = 'CONFIRMED_FRAUD' | 'FALSE_POSITIVE' | null

export interface TrainingSet {
  transactions: TTransaction[]
  decisions: Decision[]
  frauds: number
  falsePositives: number
}

interface Row {
  id: string
  txId: string
  timestamp: Date
  amount: number
  currency: string
  accountId: string
  merchantId: string
  category: string | null
  country: string | null
  channel: string | null
  latitude: number | null
  longitude: number | null
  status: string | null
}

const PAGE = 50_000

/**
 * The user's transactions in time order with the latest decision on each (the
 * anomaly's status is set by the latest label, see push-decisions). Read in keyset
 * pages so a large account does not need one huge result.
 */
export async function loadTrainingSet(db: Db, orgId: string, onPage?: (loaded: number) => Promise<void>): Promise<TrainingSet> {
  const transactions: TTransaction[] = []
  const decisions: Decision[] = []
  let frauds = 0
  let falsePositives = 0
  let after: { timestamp: Date; id: string } | null = null
  for (;;) {
    const rows: Row[] = after
      ? await db.$queryRaw<Row[]>`
          SELECT t.id, t."txId", t.timestamp, t.amount::float8 AS amount, t.currency, t."accountId", t."merchantId",
                 t.category, t.country, t.channel, t.latitude, t.longitude, a.status::text AS status
          FROM "Transaction" t LEFT JOIN "Anomaly" a ON a."transactionId" = t.id
          WHERE t."orgId" = ${orgId} AND (t.timestamp, t.id) > (${after.timestamp}, ${after.id})
          ORDER BY t.timestamp, t.id LIMIT ${PAGE}`
      : await db.$queryRaw<Row[]>`
          SELECT t.id, t."txId", t.timestamp, t.amount::float8 AS amount, t.currency, t."accountId", t."merchantId",
                 t.category, t.country, t.channel, t.latitude, t.longitude, a.status::text AS status
          FROM "Transaction" t LEFT JOIN "Anomaly" a ON a."transactionId" = t.id
          WHERE t."orgId" = ${orgId}
          ORDER BY t.timestamp, t.id LIMIT ${PAGE}`
    for (const r of rows) {
      const tx: TTransaction = {
        txId: r.txId,
        timestamp: r.timestamp.getTime(),
        amount: r.amount,
        currency: r.currency,
        accountId: r.accountId,
        merchantId: r.merchantId,
      }
      if (r.category !== null) tx.category = r.category
      if (r.country !== null) tx.country = r.country
      if (r.channel !== null) tx.channel = r.channel
      if (r.latitude !== null) tx.latitude = r.latitude
      if (r.longitude !== null) tx.longitude = r.longitude
      transactions.push(tx)
      const decision: Decision = r.status === 'CONFIRMED_FRAUD' || r.status === 'FALSE_POSITIVE' ? r.status : null
      if (decision === 'CONFIRMED_FRAUD') frauds += 1
      if (decision === 'FALSE_POSITIVE') falsePositives += 1
      decisions.push(decision)
    }
    if (onPage) await onPage(transactions.length)
    const last = rows.at(-1)
    if (!last || rows.length < PAGE) break
    after = { timestamp: last.timestamp, id: last.id }
  }
  return { transactions, decisions, frauds, falsePositives }
}
