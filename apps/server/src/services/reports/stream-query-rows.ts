import type { Db, Prisma } from '../../db/prisma.ts'

/**
 * Reads a query's rows in pages from a server-side cursor (SQL DECLARE / FETCH inside
 * one REPEATABLE READ, read-only transaction): the export sees one consistent snapshot,
 * its COUNT matches the rows it then reads, and only one page is in memory at a time,
 * however many millions of rows the query returns. No extra package: the cursor is
 * plain SQL over the Prisma connection.
 */
export interface CursorOptions {
  /** Rows per FETCH. */
  pageSize?: number
  /** How long the whole read may take before Prisma aborts the transaction. */
  timeoutMs?: number
}

export interface CursorSession<Row> {
  /** Rows the query returns (counted in the same snapshot). */
  total: number
  /** Pages of at most pageSize rows, in the query's order. */
  pages(): AsyncGenerator<Row[]>
}

const DEFAULT_PAGE_SIZE = 5_000
const DEFAULT_TIMEOUT_MS = 4 * 60 * 60 * 1000

export async function withQueryCursor<Row, Result>(
  db: Db,
  query: Prisma.Sql,
  use: (session: CursorSession<Row>) => Promise<Result>,
  options: CursorOptions = {},
): Promise<Result> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE
  return db.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe('SET TRANSACTION READ ONLY')
      const counted = await tx.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM (${query.text}) AS q`, ...query.values)
      const total = Number(counted[0]?.n ?? 0)
      await tx.$executeRawUnsafe(`DECLARE report_rows NO SCROLL CURSOR FOR ${query.text}`, ...query.values)
      const session: CursorSession<Row> = {
        total,
        async *pages() {
          for (;;) {
            const page = await tx.$queryRawUnsafe<Row[]>(`FETCH FORWARD ${pageSize} FROM report_rows`)
            if (page.length === 0) return
            yield page
            if (page.length < pageSize) return
          }
        },
      }
      return use(session)
    },
    { isolationLevel: 'RepeatableRead', timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, maxWait: 30_000 },
  )
}
