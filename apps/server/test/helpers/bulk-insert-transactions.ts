import type { TTransaction } from '@anomalyze/shared'
import type pg from 'pg'

/**
 * Inserts transactions with one statement (unnest over column arrays): how tests and
 * benches lay down a history of hundreds of thousands of rows in seconds, without
 * scoring them. Times go in as timestamptz, which Postgres stores in UTC.
 */
export async function insertTransactions(client: pg.ClientBase, orgId: string, batch: readonly TTransaction[]): Promise<void> {
  const column = <T>(pick: (t: TTransaction) => T) => batch.map(pick)
  await client.query(
    `INSERT INTO "Transaction" (id, "orgId", "txId", timestamp, amount, currency, "accountId", "merchantId", category, country, channel, latitude, longitude, source)
     SELECT gen_random_uuid(), $1, u.*, 'REALTIME_API'
       FROM unnest($2::text[], $3::timestamptz[], $4::numeric[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::float8[], $12::float8[]) AS u`,
    [
      orgId,
      column((t) => t.txId),
      column((t) => new Date(t.timestamp)),
      column((t) => t.amount),
      column((t) => t.currency),
      column((t) => t.accountId),
      column((t) => t.merchantId),
      column((t) => t.category ?? null),
      column((t) => t.country ?? null),
      column((t) => t.channel ?? null),
      column((t) => t.latitude ?? null),
      column((t) => t.longitude ?? null),
    ],
  )
}
