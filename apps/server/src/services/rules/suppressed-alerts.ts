import type { z } from 'zod'
import { AppError, textProblem, type Severity, type ZSuppressedInput } from '@anomalyze/shared'
import type { Db } from '../../db/prisma.ts'

/**
 * `rules.suppressed`: alerts an allow list suppressed, newest first, each with its
 * transaction. The cursor is the last row's id; rows are ordered by (createdAt, id) so
 * rows created in the same millisecond are neither skipped nor repeated.
 */
export async function listSuppressed(db: Db, orgId: string, input: z.output<typeof ZSuppressedInput>) {
  let after: { createdAt: Date; id: string } | null = null
  if (input.cursor != null) {
    after =
      textProblem(input.cursor) === null
        ? await db.suppressedAlert.findFirst({ where: { id: input.cursor, orgId }, select: { createdAt: true, id: true } })
        : null
    if (after === null)
      throw new AppError('BAD_INPUT', 'cursor: no suppressed alert has this id in this organisation; start again from the first page', { field: 'cursor' })
  }
  const rows = await db.suppressedAlert.findMany({
    where: {
      orgId,
      ...(after === null ? {} : { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] }),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: input.limit + 1,
  })
  const page = rows.slice(0, input.limit)
  const transactions = await db.transaction.findMany({
    where: { orgId, id: { in: page.map((row) => row.transactionId) } },
    select: { id: true, txId: true, timestamp: true, amount: true, accountId: true, merchantId: true },
  })
  const transactionOf = new Map(transactions.map((tx) => [tx.id, tx]))
  return {
    items: page.map((row) => {
      const tx = transactionOf.get(row.transactionId)
      return {
        id: row.id,
        transactionId: row.transactionId,
        txId: tx?.txId ?? '',
        timestamp: tx?.timestamp.getTime() ?? 0,
        amount: tx === undefined ? 0 : Number(tx.amount),
        accountId: tx?.accountId ?? '',
        merchantId: tx?.merchantId ?? '',
        listName: row.listName,
        field: row.field,
        value: row.value,
        reason: row.reason,
        score: row.score,
        severity: row.severity as Severity,
        ruleViolations: row.ruleViolations,
        ruleSetVersion: row.ruleSetVersion,
        createdAt: row.createdAt.getTime(),
      }
    }),
    nextCursor: rows.length > input.limit ? (page.at(-1)?.id ?? null) : null,
  }
}
