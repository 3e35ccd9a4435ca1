import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sqlPoolOf } from '../src/db/prisma.ts'
import { inSqlTransaction, inTwoRoundTrips, jsonbLiteral, sqlLiteral } from '../src/db/sql.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'

describe('inSqlTransaction', () => {
  let database: TestDatabase
  beforeAll(async () => {
    database = await createTestDatabase()
  })
  afterAll(async () => {
    await database.drop()
  })

  it('commits on success and rolls back on a throw', async () => {
    const pool = sqlPoolOf(database.db)
    await pool.query('CREATE TABLE tx_probe (n int)')
    await inSqlTransaction(pool, (sql) => sql.query('INSERT INTO tx_probe VALUES (1)'))
    await expect(
      inSqlTransaction(pool, async (sql) => {
        await sql.query('INSERT INTO tx_probe VALUES (2)')
        throw new Error('changed my mind')
      }),
    ).rejects.toThrow('changed my mind')
    expect((await pool.query<{ n: number }>('SELECT n FROM tx_probe')).rows).toEqual([{ n: 1 }])
  })

  it('survives its connection being killed between statements, and the pool recovers', async () => {
    const pool = sqlPoolOf(database.db)
    const attempt = inSqlTransaction(pool, async (sql) => {
      const { rows } = await sql.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
      // Killed from another connection while this one has no statement running:
      // the 'error' it emits must not crash the process.
      await pool.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid])
      await new Promise((resolve) => setTimeout(resolve, 200))
      await sql.query('SELECT 1')
    })
    await expect(attempt).rejects.toThrow()
    expect((await pool.query<{ ok: number }>('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }])
  })

  it('writes literals that Postgres reads back unchanged, whatever they hold', async () => {
    const pool = sqlPoolOf(database.db)
    const texts = ['plain', "it's", 'back\\slash', "\\'", "''\\\\", "$$ E'x' $1", 'line\nbreak\ttab', '₹ café 𝄞', '']
    for (const text of texts) {
      const { rows } = await pool.query<{ value: string }>(`SELECT ${sqlLiteral(text)}::text AS value`)
      expect(rows[0]!.value).toBe(text)
    }
    const value = { q: "'", b: '\\', both: "\\'", nested: [1.5, null, { s: 'x"y' }] }
    const { rows } = await pool.query<{ value: unknown }>(`SELECT ${jsonbLiteral(value)} AS value`)
    expect(rows[0]!.value).toEqual(value)
  })

  it('inTwoRoundTrips commits what the opening and closing statements wrote', async () => {
    const pool = sqlPoolOf(database.db)
    await pool.query('CREATE TABLE two_probe (n int)')
    const seen = await inTwoRoundTrips<{ n: number }, number[]>(pool, 'INSERT INTO two_probe VALUES (1), (2) RETURNING n', async (rows, client) => {
      await client.query('INSERT INTO two_probe VALUES (3)')
      return { closing: 'INSERT INTO two_probe VALUES (4)', result: rows.map((r) => r.n) }
    })
    expect(seen).toEqual([1, 2])
    expect((await pool.query<{ n: number }>('SELECT n FROM two_probe ORDER BY n')).rows.map((r) => r.n)).toEqual([1, 2, 3, 4])
  })

  it('inTwoRoundTrips keeps nothing when the work throws or the closing statement fails', async () => {
    const pool = sqlPoolOf(database.db)
    await pool.query('CREATE TABLE two_rollback (n int PRIMARY KEY)')
    await expect(
      inTwoRoundTrips(pool, 'INSERT INTO two_rollback VALUES (1)', async () => {
        throw new Error('scoring failed')
      }),
    ).rejects.toThrow('scoring failed')
    // The closing statement breaks the primary key: the opening's row goes too.
    await expect(
      inTwoRoundTrips(pool, 'INSERT INTO two_rollback VALUES (2)', async () => ({ closing: 'INSERT INTO two_rollback VALUES (2)', result: null })),
    ).rejects.toThrow(/duplicate key/)
    expect((await pool.query('SELECT n FROM two_rollback')).rows).toEqual([])
    // The connections went back to the pool usable (no transaction left open on them).
    const { rows } = await pool.query<{ open: boolean }>(
      "SELECT count(*) > 0 AS open FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
    )
    expect(rows[0]!.open).toBe(false)
  })
})
