import type { TTransaction } from '@anomalyze/shared'
import type pg from 'pg'
import type { Decision } from './decision.ts'

/** Rows read from Postgres per page (keyset pagination on (timestamp, id)). */
export const HISTORY_PAGE_ROWS = 20_000

/** One transaction of the history with the analysts' latest decision on its anomaly. */
export interface HistoryRow {
  tx: TTransaction
  decision: Decision
}

interface Row {
  id: string
  txId: string
  /** Epoch milliseconds, computed by Postgres: "timestamp" has no time zone, read as UTC as Prisma does. */
  ms: number
  /** The stored value as text, handed back as is for the next page's keyset. */
  key: string
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

// The time travels as epoch ms and as text, never as a JS Date: pg would read and write a
// zone-less timestamp in the process's local zone, and a non-UTC server would shift it.
const COLUMNS = `t.id, t."txId", (extract(epoch FROM t.timestamp) * 1000)::float8 AS ms, t.timestamp::text AS key,
  t.amount::float8 AS amount, t.currency, t."accountId", t."merchantId",
  t.category, t.country, t.channel, t.latitude, t.longitude, a.status::text AS status
  FROM "Transaction" t LEFT JOIN "Anomaly" a ON a."transactionId" = t.id`

function toHistoryRow(r: Row): HistoryRow {
  const tx: TTransaction = {
    txId: r.txId,
    timestamp: r.ms,
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
  const decision: Decision = r.status === 'CONFIRMED_FRAUD' || r.status === 'FALSE_POSITIVE' ? r.status : null
  return { tx, decision }
}

/**
 * The organisation's transactions in time order (timestamp, then id: the order
 * streamTrainingSet reads), one page at a time, so a reader holds
 * one page and whatever it keeps, never the whole history.
 */
export async function* readHistoryPages(client: pg.ClientBase, orgId: string, pageRows = HISTORY_PAGE_ROWS): AsyncGenerator<HistoryRow[]> {
  let after: { key: string; id: string } | null = null
  for (;;) {
    const page: Row[] = after
      ? (
          await client.query<Row>(`SELECT ${COLUMNS} WHERE t."orgId" = $1 AND (t.timestamp, t.id) > ($2::timestamp, $3) ORDER BY t.timestamp, t.id LIMIT $4`, [
            orgId,
            after.key,
            after.id,
            pageRows,
          ])
        ).rows
      : (await client.query<Row>(`SELECT ${COLUMNS} WHERE t."orgId" = $1 ORDER BY t.timestamp, t.id LIMIT $2`, [orgId, pageRows])).rows
    if (page.length > 0) yield page.map(toHistoryRow)
    const last = page.at(-1)
    if (!last || page.length < pageRows) return
    after = { key: last.key, id: last.id }
  }
}
