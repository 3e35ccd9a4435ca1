import type { TTransaction } from '@anomalyze/shared'
import type pg from 'pg'
import { inSqlTransaction, sqlLiteral, UTC_FROM_MS, type SqlClient } from '../../../db/sql.ts'

/** Rows fetched from the cursor at a time: large enough that round trips do not count, small enough to stay a few MB. */
export const PAGE_ROWS = 20_000

/**
 * A stored transaction as the replay reads it: the transaction the rules and features
 * read, plus its row id and the state of its alert. One object a row, every row of
 * one shape (a million rows a backtest: allocations are what the garbage collector pays for).
 */
export interface StoredRow extends TTransaction {
  id: string
  /** Its Anomaly's status; null when it raised no alert. */
  alertStatus: string | null
}

/** What the replay reads from the organisation's transactions, all from one snapshot. */
export interface ReplaySource {
  /** The organisation's latest transaction time (epoch ms), or null when it has none. */
  latestTimestamp(): Promise<number | null>
  /** Transactions in [from, to], both inclusive. */
  count(from: number, to: number): Promise<number>
  /** Transactions in [from, to] in (timestamp, id) order, PAGE_ROWS at a time. */
  pages(from: number, to: number): AsyncGenerator<StoredRow[]>
}

/**
 * Runs `work` against one read-only REPEATABLE READ snapshot of the organisation's
 * transactions: the latest timestamp, the count and the rows all agree, so `processed`
 * ends exactly at `total` even while ingestion keeps writing.
 */
export function withReplaySource<T>(pool: pg.Pool, orgId: string, work: (source: ReplaySource) => Promise<T>): Promise<T> {
  return inSqlTransaction(pool, async (client) => {
    await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY')
    return work(replaySourceOn(client, orgId))
  })
}

function replaySourceOn(client: SqlClient, orgId: string): ReplaySource {
  const inRange = (from: number, to: number): string =>
    `t."orgId" = ${sqlLiteral(orgId)} AND t.timestamp >= ${UTC_FROM_MS(String(from))} AND t.timestamp <= ${UTC_FROM_MS(String(to))}`
  return {
    async latestTimestamp() {
      const { rows } = await client.query<{ ms: number | null }>(
        `SELECT (extract(epoch FROM max(timestamp)) * 1000)::float8 AS ms FROM "Transaction" WHERE "orgId" = $1`,
        [orgId],
      )
      return rows[0]?.ms ?? null
    },
    async count(from, to) {
      const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Transaction" t WHERE ${inRange(from, to)}`)
      return rows[0]?.n ?? 0
    },
    async *pages(from, to) {
      // One cursor, one plan, rows in index order; DECLARE takes no bind parameters,
      // hence the literals (the id through sqlLiteral, the bounds are numbers).
      if (!Number.isFinite(from) || !Number.isFinite(to)) throw new Error(`replay bounds must be finite numbers (got ${from}, ${to})`)
      await client.query(`DECLARE replay NO SCROLL CURSOR FOR
        SELECT t.id, t."txId", (extract(epoch FROM t.timestamp) * 1000)::float8, t.amount::float8, t.currency,
               t."accountId", t."merchantId", t.category, t.country, t.channel, a.status::text
          FROM "Transaction" t LEFT JOIN "Anomaly" a ON a."transactionId" = t.id
         WHERE ${inRange(from, to)}
         ORDER BY t.timestamp, t.id`)
      const fetch = async (): Promise<unknown[][]> => (await client.query<unknown[]>({ text: `FETCH ${PAGE_ROWS} FROM replay`, rowMode: 'array' })).rows
      // The next page is asked for before this one is handed out: Postgres reads it
      // while the caller computes features (two cores, both busy).
      let pending: Promise<unknown[][]> | null = fetch()
      try {
        while (pending !== null) {
          const rows: unknown[][] = await pending
          pending = rows.length === PAGE_ROWS ? fetch() : null
          if (rows.length > 0) yield rows.map(storedRowOf)
        }
      } finally {
        // A caller that stopped early (an error) leaves a fetch in flight: let it settle first.
        await pending?.catch(() => undefined)
        await client.query('CLOSE replay').catch(() => undefined)
      }
    },
  }
}

function storedRowOf(r: unknown[]): StoredRow {
  return {
    id: r[0] as string,
    txId: r[1] as string,
    timestamp: r[2] as number,
    amount: r[3] as number,
    currency: r[4] as string,
    accountId: r[5] as string,
    merchantId: r[6] as string,
    // Missing reads as undefined, as an ingested transaction without the field.
    category: (r[7] as string | null) ?? undefined,
    country: (r[8] as string | null) ?? undefined,
    channel: (r[9] as string | null) ?? undefined,
    alertStatus: r[10] as string | null,
  }
}
