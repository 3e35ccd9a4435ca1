import type { Db } from '../src/db/prisma.ts'
import { ensurePersonalWorkspace } from '../src/services/organizations/workspaces.ts'

/**
 * Bulk rows for the report tests and `pnpm bench:reports`, generated inside Postgres
 * (INSERT ... SELECT generate_series): a million rows take seconds, not minutes. Values
 * are spread over 30 days from `start` and varied on purpose (quotes, commas, empty optional columns, every severity) so
 * that a CSV round trip has something to get wrong.
 */
export async function insertGeneratedAnomalies(db: Db, orgId: string, count: number, start = new Date(Date.UTC(2026, 0, 1))): Promise<void> {
  // The organisation is a person's own workspace: its id is theirs.
  await ensurePersonalWorkspace(db, { id: orgId, name: orgId })
  await db.$executeRaw`
    INSERT INTO "Transaction" (id, "orgId", "txId", timestamp, amount, currency, "accountId", "merchantId", category, country, channel, source)
    SELECT gen_random_uuid()::text, ${orgId}, 'gen-' || g,
           (${start.toISOString()}::timestamptz AT TIME ZONE 'UTC') + (g - 1) * (interval '30 days' / ${count}::int),
           ((g * 37 % 100000) / 100.0 + 0.0001)::numeric(18, 4), 'INR', 'acct-' || (g % 1000), 'M' || (g % 5000),
           CASE WHEN g % 7 = 0 THEN NULL WHEN g % 7 = 1 THEN 'food, "fresh"' ELSE 'retail' END,
           CASE WHEN g % 3 = 0 THEN NULL ELSE 'IN' END, 'online', 'REALTIME_API'
      FROM generate_series(1, ${count}::int) AS g`
  await db.$executeRaw`
    INSERT INTO "Anomaly" (id, "orgId", "transactionId", score, severity, "ruleViolations", explanation, "modelVersion", "createdAt", "updatedAt")
    SELECT gen_random_uuid()::text, t."orgId", t.id, (abs(hashtext(t.id)) % 100000) / 100000.0 + 0.000001,
           (ARRAY['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'])[1 + abs(hashtext(t."txId")) % 4]::"Severity",
           CASE WHEN t.amount > 500 THEN ARRAY['AMOUNT_SPIKE', 'NEW_MERCHANT'] ELSE ARRAY['AMOUNT_SPIKE'] END,
           'Amount ' || t.amount || ' is far above the account''s usual spend, "by a lot"' || CASE WHEN t."txId" LIKE '%7' THEN E'\nsecond line' ELSE '' END,
           'default@1.0.0', now(), now()
      FROM "Transaction" t
     WHERE t."orgId" = ${orgId} AND t."txId" LIKE 'gen-%'`
}
