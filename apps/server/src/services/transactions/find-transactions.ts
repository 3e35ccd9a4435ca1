import { z } from 'zod'
import { AppError, zSafeText, zTimeMs, type TTransactionRow } from '@anomalyze/shared'
import type { Db, Prisma } from '../../db/prisma.ts'

export const transactionSelect = {
  id: true,
  txId: true,
  timestamp: true,
  amount: true,
  currency: true,
  accountId: true,
  merchantId: true,
  category: true,
  country: true,
  channel: true,
  latitude: true,
  longitude: true,
  source: true,
  createdAt: true,
} satisfies Prisma.TransactionSelect

type TransactionRow = Prisma.TransactionGetPayload<{ select: typeof transactionSelect }>

export const ZFindTransactionsInput = z.object({
  // Text Postgres can compare (no NUL, no lone surrogate): refused by field, never a failed statement.
  accountId: zSafeText(200, { min: 1 }).optional(),
  merchantId: zSafeText(200, { min: 1 }).optional(),
  /** Epoch ms on the transaction's timestamp, both inclusive (1970..9999: time-bounds.ts). */
  from: zTimeMs().optional(),
  to: zTimeMs().optional(),
  /** Id of the last row of the previous page (nextCursor): one of the caller's transactions. */
  cursor: z.string().uuid().optional(),
  limit: z.number().int().min(1).max(500).default(100),
})
export type TFindTransactionsInput = z.input<typeof ZFindTransactionsInput>

/** Newest first, keyset-paged by id within the caller's own rows. */
export async function findTransactions(db: Db, orgId: string, input: z.output<typeof ZFindTransactionsInput>) {
  if (input.from !== undefined && input.to !== undefined && input.from > input.to) {
    throw new AppError('BAD_INPUT', '"from" must not be after "to"', { field: 'from' })
  }
  const after = input.cursor === undefined ? null : await cursorRow(db, orgId, input.cursor)
  const rows = await db.transaction.findMany({
    where: {
      orgId,
      accountId: input.accountId,
      merchantId: input.merchantId,
      timestamp: {
        ...(input.from !== undefined ? { gte: new Date(input.from) } : {}),
        ...(input.to !== undefined ? { lte: new Date(input.to) } : {}),
      },
      ...(after === null ? {} : { OR: [{ timestamp: { lt: after.timestamp } }, { timestamp: after.timestamp, id: { lt: after.id } }] }),
    },
    select: transactionSelect,
    orderBy: [{ timestamp: 'desc' }, { id: 'desc' }],
    take: input.limit + 1,
  })
  const page = rows.slice(0, input.limit)
  return { items: page.map(toTransactionDto), nextCursor: rows.length > input.limit ? (page.at(-1)?.id ?? null) : null }
}

/**
 * The row a cursor points at, which must be one of the caller's: another account's id
 * would otherwise position this page by that row's time (and tell it).
 */
async function cursorRow(db: Db, orgId: string, cursor: string): Promise<{ id: string; timestamp: Date }> {
  const row = await db.transaction.findFirst({ where: { id: cursor, orgId }, select: { id: true, timestamp: true } })
  if (!row) throw new AppError('BAD_INPUT', 'cursor: not a cursor from transactions.list; start again without one', { field: 'cursor' })
  return row
}

export async function getTransactionById(db: Db, orgId: string, id: string) {
  const row = await db.transaction.findFirst({ where: { id, orgId }, select: transactionSelect })
  if (!row) throw new AppError('NOT_FOUND', `No transaction with id ${id}`)
  return toTransactionDto(row)
}

/** The stored row as it leaves the server: the shape declared once in @anomalyze/shared (ZTransactionRow). */
export function toTransactionDto(row: TransactionRow): TTransactionRow {
  return { ...row, timestamp: row.timestamp.getTime(), amount: row.amount.toNumber(), createdAt: row.createdAt.getTime() }
}
