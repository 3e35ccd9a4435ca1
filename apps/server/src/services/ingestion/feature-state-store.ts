import {
  isAccountState,
  isMerchantState,
  type AccountState,
  type MerchantState,
} from '@anomalyze/shared'
import type { SqlRunner } from '../../db/sql.ts'

export interface LockedStates {
  accounts: Map<string, AccountState>
  merchants: Map<string, MerchantState>
}

/**
 * Locks and reads the feature state of every account and merchant in a batch in
 * one round trip. Rows are created when missing and locked in key order, so that
 * two server instances working on overlapping batches queue instead of deadlocking,
 * and neither overwrites the other's update.
 */
export async function lockFeatureStates(sql: SqlRunner, userId: string, accountIds: string[], merchantIds: string[]): Promise<LockedStates> {
  const { rows } = await sql.query<{ kind: 'a' | 'm'; key: string; state: unknown }>(
    `WITH a AS (
      INSERT INTO "AccountFeatureState" ("userId", "accountId", "state")
      SELECT $1, k, '{}'::jsonb FROM unnest($2::text[]) AS k ORDER BY k
      ON CONFLICT ("userId", "accountId") DO UPDATE SET "userId" = EXCLUDED."userId"
      RETURNING "accountId" AS key, "state"
    ), m AS (
      INSERT INTO "MerchantFeatureState" ("userId", "merchantId", "state")
      SELECT $1, k, '{}'::jsonb FROM unnest($3::text[]) AS k ORDER BY k
      ON CONFLICT ("userId", "merchantId") DO UPDATE SET "userId" = EXCLUDED."userId"
      RETURNING "merchantId" AS key, "state"
    )
    SELECT 'a' AS kind, key, state FROM a UNION ALL SELECT 'm' AS kind, key, state FROM m`,
    [userId, [...accountIds].sort(), [...merchantIds].sort()],
  )
  const accounts = new Map<string, AccountState>()
  const merchants = new Map<string, MerchantState>()
  for (const row of rows) {
    if (row.kind === 'a' && isAccountState(row.state)) accounts.set(row.key, row.state)
    if (row.kind === 'm' && isMerchantState(row.state)) merchants.set(row.key, row.state)
  }
  return { accounts, merchants }
}

/** Writes the updated states back (same transaction, rows already locked). */
export async function saveFeatureStates(sql: SqlRunner, userId: string, states: LockedStates): Promise<void> {
  const accountKeys = [...states.accounts.keys()]
  const merchantKeys = [...states.merchants.keys()]
  await sql.query(
    `WITH a AS (
      UPDATE "AccountFeatureState" AS s SET "state" = v.state, "updatedAt" = now()
      FROM unnest($2::text[], $3::jsonb[]) AS v(key, state)
      WHERE s."userId" = $1 AND s."accountId" = v.key
      RETURNING 1
    )
    UPDATE "MerchantFeatureState" AS s SET "state" = v.state, "updatedAt" = now()
    FROM unnest($4::text[], $5::jsonb[]) AS v(key, state)
    WHERE s."userId" = $1 AND s."merchantId" = v.key`,
    [
      userId,
      accountKeys,
      accountKeys.map((k) => JSON.stringify(states.accounts.get(k))),
      merchantKeys,
      merchantKeys.map((k) => JSON.stringify(states.merchants.get(k))),
    ],
  )
}
