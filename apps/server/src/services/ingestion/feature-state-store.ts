import {
  isAccountState,
  isMerchantState,
  type AccountState,
  type MerchantState,
} from '@anomalyze/shared'
import type { Prisma } from '../../db/prisma.ts'

type Tx = Prisma.TransactionClient

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
export async function lockFeatureStates(tx: Tx, userId: string, accountIds: string[], merchantIds: string[]): Promise<LockedStates> {
  const rows = await tx.$queryRaw<{ kind: 'a' | 'm'; key: string; state: unknown }[]>`
    WITH a AS (
      INSERT INTO "AccountFeatureState" ("userId", "accountId", "state")
      SELECT ${userId}, k, '{}'::jsonb FROM unnest(${[...accountIds].sort()}::text[]) AS k ORDER BY k
      ON CONFLICT ("userId", "accountId") DO UPDATE SET "userId" = EXCLUDED."userId"
      RETURNING "accountId" AS key, "state"
    ), m AS (
      INSERT INTO "MerchantFeatureState" ("userId", "merchantId", "state")
      SELECT ${userId}, k, '{}'::jsonb FROM unnest(${[...merchantIds].sort()}::text[]) AS k ORDER BY k
      ON CONFLICT ("userId", "merchantId") DO UPDATE SET "userId" = EXCLUDED."userId"
      RETURNING "merchantId" AS key, "state"
    )
    SELECT 'a' AS kind, key, state FROM a UNION ALL SELECT 'm' AS kind, key, state FROM m`
  const accounts = new Map<string, AccountState>()
  const merchants = new Map<string, MerchantState>()
  for (const row of rows) {
    if (row.kind === 'a' && isAccountState(row.state)) accounts.set(row.key, row.state)
    if (row.kind === 'm' && isMerchantState(row.state)) merchants.set(row.key, row.state)
  }
  return { accounts, merchants }
}

/** Writes the updated states back (same transaction, rows already locked). */
export async function saveFeatureStates(tx: Tx, userId: string, states: LockedStates): Promise<void> {
  const accountKeys = [...states.accounts.keys()]
  const merchantKeys = [...states.merchants.keys()]
  await tx.$executeRaw`
    WITH a AS (
      UPDATE "AccountFeatureState" AS s SET "state" = v.state, "updatedAt" = now()
      FROM unnest(${accountKeys}::text[], ${accountKeys.map((k) => JSON.stringify(states.accounts.get(k)))}::jsonb[]) AS v(key, state)
      WHERE s."userId" = ${userId} AND s."accountId" = v.key
      RETURNING 1
    )
    UPDATE "MerchantFeatureState" AS s SET "state" = v.state, "updatedAt" = now()
    FROM unnest(${merchantKeys}::text[], ${merchantKeys.map((k) => JSON.stringify(states.merchants.get(k)))}::jsonb[]) AS v(key, state)
    WHERE s."userId" = ${userId} AND s."merchantId" = v.key`
}
