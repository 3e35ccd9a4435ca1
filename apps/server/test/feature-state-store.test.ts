import { newAccountState, newMerchantState } from '@anomalyze/shared/engine'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sqlPoolOf } from '../src/db/prisma.ts'
import { inSqlTransaction } from '../src/db/sql.ts'
import { saveStatesCtes } from '../src/services/feature-state/feature-state-store.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'
import { ensurePersonalWorkspace } from '../src/services/organizations/workspaces.ts'

interface PlanNode {
  'Node Type': string
  'Relation Name'?: string
  'Actual Rows': number
  'Actual Loops': number
  'Plan Rows': number
  Plans?: PlanNode[]
}

/** Every node of the plan. */
function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)]
}

/** Rows each scan of `table` in the plan produced, over all its loops. */
function rowsScanned(plan: PlanNode, table: string): number[] {
  const own = plan['Relation Name'] === table && /Scan/.test(plan['Node Type']) ? [plan['Actual Rows'] * plan['Actual Loops']] : []
  return [...own, ...(plan.Plans ?? []).flatMap((child) => rowsScanned(child, table))]
}

describe('feature-state store', () => {
  let database: TestDatabase
  const orgId = 'state_user'

  beforeAll(async () => {
    database = await createTestDatabase()
    await ensurePersonalWorkspace(database.db, { id: orgId, name: orgId })
    // An organisation with thousands of accounts and merchants, statistics up to date.
    const pool = sqlPoolOf(database.db)
    await pool.query(`INSERT INTO "AccountFeatureState" ("orgId", "accountId", "state") SELECT $1, 'A' || i, '{}'::json FROM generate_series(1, 3000) i`, [
      orgId,
    ])
    await pool.query(`INSERT INTO "MerchantFeatureState" ("orgId", "merchantId", "state") SELECT $1, 'M' || i, '{}'::json FROM generate_series(1, 3000) i`, [
      orgId,
    ])
    await pool.query('ANALYZE "AccountFeatureState", "MerchantFeatureState"')
  })
  afterAll(async () => {
    await database.drop()
  })

  const explainSave = (states: Parameters<typeof saveStatesCtes>[1]) =>
    inSqlTransaction(sqlPoolOf(database.db), async (sql) => {
      const { rows } = await sql.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        `EXPLAIN (ANALYZE, FORMAT JSON) WITH ${saveStatesCtes(orgId, states)} SELECT (SELECT count(*) FROM saved_a) AS a, (SELECT count(*) FROM saved_m) AS m`,
      )
      return rows[0]?.['QUERY PLAN'][0].Plan as PlanNode
    })

  /** States under `pattern` that hold more than the empty '{}' they were created with. */
  const savedCount = async (table: string, column: string, pattern: string) => {
    const { rows } = await sqlPoolOf(database.db).query<{ n: string }>(
      `SELECT count(*) AS n FROM "${table}" WHERE "orgId" = $1 AND "${column}" LIKE $2 AND "state"::text <> '{}'`,
      [orgId, pattern],
    )
    return Number(rows[0]?.n)
  }

  /** The planner's row estimate for the values the save unnests. */
  const plannedValues = (plan: PlanNode) =>
    nodesOf(plan)
      .filter((n) => n['Node Type'] === 'Function Scan')
      .map((n) => n['Plan Rows'])

  it('tells the planner how many states a batch saves, and saves them all', async () => {
    const keys = Array.from({ length: 2_000 }, (_, i) => i + 1)
    const plan = await explainSave({
      accounts: new Map(keys.map((i) => [`A${i}`, newAccountState()])),
      merchants: new Map(keys.map((i) => [`M${i}`, newMerchantState()])),
    })
    // json_each was always guessed at 100 rows, and the plans built on that guess read
    // every state of the user, or probed the index 2,000 times at a cost that grew with the batch.
    expect(plannedValues(plan)).toEqual([2_000, 2_000])
    expect(await savedCount('AccountFeatureState', 'accountId', 'A%')).toBe(2_000)
    expect(await savedCount('MerchantFeatureState', 'merchantId', 'M%')).toBe(2_000)
  })

  it('saves states through the primary key, reading only the rows it writes', async () => {
    const states = {
      accounts: new Map([['A2017', newAccountState()]]),
      merchants: new Map([
        ['M2042', newMerchantState()],
        ['M2043', newMerchantState()],
      ]),
    }
    const plan = await explainSave(states)
    expect(plannedValues(plan)).toEqual([1, 2])
    // Before, the update joined json_each to every state of the user: 3,000 rows read per table.
    expect(rowsScanned(plan, 'AccountFeatureState')).toEqual([1])
    expect(rowsScanned(plan, 'MerchantFeatureState')).toEqual([2])
    // EXPLAIN ANALYZE ran the update for real; the transaction committed it.
    expect(await savedCount('MerchantFeatureState', 'merchantId', 'M204_')).toBe(2)
  })
})
