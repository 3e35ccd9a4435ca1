import { newAccountState, newMerchantState } from '@anomalyze/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sqlPoolOf } from '../src/db/prisma.ts'
import { inSqlTransaction } from '../src/db/sql.ts'
import { saveStatesCtes } from '../src/services/ingestion/feature-state-store.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'

interface PlanNode {
  'Node Type': string
  'Relation Name'?: string
  'Actual Rows': number
  Plans?: PlanNode[]
}

/** Rows each scan of `table` in the plan produced. */
function rowsScanned(plan: PlanNode, table: string): number[] {
  const own = plan['Relation Name'] === table && /Scan/.test(plan['Node Type']) ? [plan['Actual Rows']] : []
  return [...own, ...(plan.Plans ?? []).flatMap((child) => rowsScanned(child, table))]
}

describe('feature-state store', () => {
  let database: TestDatabase
  const userId = 'state_user'

  beforeAll(async () => {
    database = await createTestDatabase()
    await database.db.user.create({ data: { id: userId, name: userId } })
    // A user with thousands of accounts and merchants, statistics up to date.
    const pool = sqlPoolOf(database.db)
    await pool.query(
      `INSERT INTO "AccountFeatureState" ("userId", "accountId", "state") SELECT $1, 'A' || i, '{}'::json FROM generate_series(1, 3000) i`,
      [userId],
    )
    await pool.query(
      `INSERT INTO "MerchantFeatureState" ("userId", "merchantId", "state") SELECT $1, 'M' || i, '{}'::json FROM generate_series(1, 3000) i`,
      [userId],
    )
    await pool.query('ANALYZE "AccountFeatureState", "MerchantFeatureState"')
  })
  afterAll(async () => {
    await database.drop()
  })

  it('saves states through the primary key, reading only the rows it writes', async () => {
    const states = { accounts: new Map([['A17', newAccountState()]]), merchants: new Map([['M42', newMerchantState()], ['M43', newMerchantState()]]) }
    const plan = await inSqlTransaction(sqlPoolOf(database.db), async (sql) => {
      const { rows } = await sql.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        `EXPLAIN (ANALYZE, FORMAT JSON) WITH ${saveStatesCtes(userId, states)} SELECT (SELECT count(*) FROM saved_a) AS a, (SELECT count(*) FROM saved_m) AS m`,
      )
      return rows[0]?.['QUERY PLAN'][0].Plan as PlanNode
    })
    // Before, the update joined json_each to every state of the user: 3,000 rows read per table.
    expect(rowsScanned(plan, 'AccountFeatureState')).toEqual([1])
    expect(rowsScanned(plan, 'MerchantFeatureState')).toEqual([2])
    const saved = await sqlPoolOf(database.db).query<{ n: string }>(
      `SELECT count(*) AS n FROM "MerchantFeatureState" WHERE "userId" = $1 AND "state"::text <> '{}'`,
      [userId],
    )
    // EXPLAIN ANALYZE ran the update for real; the transaction committed it.
    expect(Number(saved.rows[0]?.n)).toBe(2)
  })
})
