import type pg from 'pg'
import type { Prisma } from './prisma.ts'

/** A connection inside an open SQL transaction (see `inSqlTransaction`). */
export type SqlClient = pg.PoolClient

/**
 * Runs `work` in one database transaction on a connection of its own: committed
 * when it resolves, rolled back when it throws. A connection whose rollback fails
 * is destroyed rather than returned to the pool in an unknown state.
 */
export function inSqlTransaction<T>(pool: pg.Pool, work: (client: SqlClient) => Promise<T>): Promise<T> {
  return onOwnConnection(pool, async (client) => {
    await client.query('BEGIN')
    const result = await work(client)
    await client.query('COMMIT')
    return result
  })
}

/** Runs `run` (which opens and commits a transaction) and rolls back whatever it left open when it throws. */
async function onOwnConnection<T>(pool: pg.Pool, run: (client: SqlClient) => Promise<T>): Promise<T> {
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
    return await run(client)
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

/**
 * A string as a SQL literal, for statements sent whole (simple protocol, no
 * parameters), the way `pg`'s escapeLiteral writes it: quotes doubled, and when the
 * text has backslashes an E'' literal with them doubled, so the result means the same
 * whatever `standard_conforming_strings` says. Written here rather than calling
 * escapeLiteral because that one builds its result a character at a time, and ingest
 * statements carry megabytes of JSON: two native replaceAll calls are ~50x faster.
 */
export function sqlLiteral(text: string): string {
  const quoted = text.replaceAll("'", "''")
  return text.includes('\\') ? ` E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`
}

/** A value as a `jsonb` SQL expression (see sqlLiteral). */
export function jsonbLiteral(value: unknown): string {
  return `${sqlLiteral(JSON.stringify(value))}::jsonb`
}

/**
 * A short write transaction in two round trips, for the ingest hot path: `opening`
 * (one statement or several, separated by semicolons) goes out as "BEGIN; opening",
 * and the statement `work` returns as "closing; COMMIT", each as one simple-protocol
 * message (so both are whole SQL, values inlined with sqlLiteral/jsonbLiteral). On this
 * machine every round trip costs a scheduling slice of the server, of Postgres and of
 * the kernel; a single-transaction call went from eight of them to two. Anything `work` runs on the connection in between joins
 * the transaction. A throw, or a failing statement, rolls back; a connection that
 * broke is destroyed rather than pooled.
 */
export function inTwoRoundTrips<R extends object, T>(
  pool: pg.Pool,
  opening: string,
  work: (rows: R[], client: SqlClient) => Promise<{ closing: string | null; result: T }>,
): Promise<T> {
  return onOwnConnection(pool, async (client) => {
    // Several statements in one message: pg answers with one result per statement.
    // `work` gets the rows of every statement of the opening, in order.
    const results = (await client.query(`BEGIN; ${opening}`)) as unknown as pg.QueryResult<R>[]
    const { closing, result } = await work(
      results.slice(1).flatMap((r) => r.rows),
      client,
    )
    await client.query(closing === null ? 'COMMIT' : `${closing}; COMMIT`)
    return result
  })
}
