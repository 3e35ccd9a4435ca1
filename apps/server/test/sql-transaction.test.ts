import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sqlPoolOf } from '../src/db/prisma.ts'
import { inSqlTransaction } from '../src/db/sql.ts'
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
})
