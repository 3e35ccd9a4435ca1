import type pg from 'pg'
import type { Prisma } from './prisma.ts'

/** A connection inside an open SQL transaction (see `inSqlTransaction`). */
export type SqlClient = pg.PoolClient

/**
 * Runs `work` in one database transaction on a connection of its own: committed
 * when it resolves, rolled back when it throws. A connection whose rollback fails
 * is destroyed rather than returned to the pool in an unknown state.
 */
export async function inSqlTransaction<T>(pool: pg.Pool, work: (client: SqlClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  let broken: Error | undefined
  // A connection that dies between statements (database restarted) emits 'error'
  // with no query to reject: without a listener that would crash the process. The
  // next statement fails instead, and the connection is destroyed on release.
  const onError = (error: Error): void => {
    broken = error
  }
  client.on('error', onError)
  try {
    await client.query('BEGIN')
    const result = await work(client)
    await client.query('COMMIT')
    return result
  } catch (error) {
    if (!broken) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError
      })
    }
    throw error
  } finally {
    client.off('error', onError)
    client.release(broken)
  }
}

/**
 * Epoch milliseconds as a SQL expression's parameter: timestamps cross the wire as
 * numbers and become UTC `timestamp` values in SQL (`to_timestamp($n / 1000.0) AT
 * TIME ZONE 'UTC'`), the way Prisma stores DateTime, whatever the time zone of the
 * process or the database session.
 */
export const UTC_FROM_MS = (param: string): string => `(to_timestamp(${param}::float8 / 1000.0) AT TIME ZONE 'UTC')`

/** Anything that runs a query: the pool (autocommit) or a connection in a transaction. */
export type Sql = pg.Pool | pg.PoolClient

/** The one method the SQL helpers need: satisfied by a pg pool or connection, and by `sqlOfPrismaTransaction`. */
export interface SqlRunner {
  query<R extends object = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>
}

/**
 * Lets SQL helpers join a Prisma interactive transaction (for code that is mostly
 * Prisma, like pushing decisions, but shares a statement with the ingest path).
 */
export function sqlOfPrismaTransaction(tx: Prisma.TransactionClient): SqlRunner {
  return {
    query: async <R extends object>(text: string, params: unknown[] = []) => ({ rows: await tx.$queryRawUnsafe<R[]>(text, ...params) }),
  }
}
