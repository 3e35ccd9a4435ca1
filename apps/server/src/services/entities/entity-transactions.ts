import { AppError, type TEntityTransactionsOutput, type ZEntityTransactionsInput } from '@anomalyze/shared'
import type { z } from 'zod'
import { Prisma, type Db } from '../../db/prisma.ts'
import { decodeEntityCursor, encodeEntityCursor, type EntityPosition } from './entity-cursor.ts'
import { atMs, entityColumns, msOf } from './entity-sql.ts'

type Input = z.output<typeof ZEntityTransactionsInput>

interface Row {
  id: string
  txId: string
  ms: number
  amount: number
  currency: string
  accountId: string
  merchantId: string
  category: string | null
  country: string | null
  channel: string | null
  anomalyId: string | null
  score: number | null
  severity: 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL' | null
  status: 'OPEN' | 'NEEDS_REVIEW' | 'CONFIRMED_FRAUD' | 'FALSE_POSITIVE' | null
  label: 'CONFIRMED_FRAUD' | 'FALSE_POSITIVE' | 'NEEDS_REVIEW' | null
}

/**
 * An account's or merchant's transactions, newest first, keyset-paged on (timestamp, id)
 * along the (orgId, accountId|merchantId, timestamp) index, each with its alert (score,
 * severity, status) and the decision in force (the latest label not superseded).
 * `from` and `to` are both inclusive, as in transactions.list. `total` counts every
 * row matching the filters, whatever the page.
 */
export async function entityTransactions(db: Db, orgId: string, input: Input): Promise<TEntityTransactionsOutput> {
  if (input.from !== undefined && input.to !== undefined && input.from > input.to) {
    throw new AppError('BAD_INPUT', 'from: must not be after "to"', { field: 'from' })
  }
  if (input.amountMin !== undefined && input.amountMax !== undefined && input.amountMin > input.amountMax) {
    throw new AppError('BAD_INPUT', 'amountMin: must not be above "amountMax"', { field: 'amountMin' })
  }
  const cols = entityColumns(input.type)
  const after = input.cursor === null ? null : await cursorPosition(db, orgId, input)

  const where: Prisma.Sql[] = [Prisma.sql`t."orgId" = ${orgId}`, Prisma.sql`${cols.own} = ${input.id}`]
  if (input.from !== undefined) where.push(Prisma.sql`t.timestamp >= ${atMs(input.from)}`)
  if (input.to !== undefined) where.push(Prisma.sql`t.timestamp <= ${atMs(input.to)}`)
  if (input.amountMin !== undefined) where.push(Prisma.sql`t.amount >= ${String(input.amountMin)}::numeric`)
  if (input.amountMax !== undefined) where.push(Prisma.sql`t.amount <= ${String(input.amountMax)}::numeric`)
  if (input.country !== undefined) where.push(Prisma.sql`t.country = ${input.country.toUpperCase()}`)
  if (input.counterpartyId !== undefined) where.push(Prisma.sql`${cols.other} = ${input.counterpartyId}`)
  if (input.alertsOnly) where.push(Prisma.sql`a.id IS NOT NULL`)
  const filters = Prisma.join(where, ' AND ')
  const alertJoin = Prisma.sql`LEFT JOIN "Anomaly" a ON a."transactionId" = t.id AND a."orgId" = ${orgId}`
  const keyset = after === null ? Prisma.sql`TRUE` : Prisma.sql`(t.timestamp, t.id) < (${atMs(after.timestamp)}, ${after.id})`

  const rows = await db.$queryRaw<Row[]>`
    SELECT t.id, t."txId", ${msOf('t.timestamp')} AS ms, t.amount::float8 AS amount, t.currency::text AS currency,
           t."accountId", t."merchantId", t.category, t.country::text AS country, t.channel,
           a.id AS "anomalyId", a.score, a.severity::text AS severity, a.status::text AS status, l.label::text AS label
      FROM "Transaction" t ${alertJoin}
      LEFT JOIN LATERAL (
        SELECT label FROM "AnomalyLabel" WHERE "anomalyId" = a.id AND "supersededAt" IS NULL
         ORDER BY "decidedAt" DESC, "createdAt" DESC LIMIT 1
      ) l ON TRUE
     WHERE ${filters} AND ${keyset}
     ORDER BY t.timestamp DESC, t.id DESC
     LIMIT ${input.limit + 1}`
  const [counted] = await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM "Transaction" t ${alertJoin} WHERE ${filters}`

  const page = rows.slice(0, input.limit)
  const last = page.at(-1)
  return {
    items: page.map((r) => ({
      id: r.id,
      txId: r.txId,
      timestamp: r.ms,
      amount: r.amount,
      currency: r.currency,
      accountId: r.accountId,
      merchantId: r.merchantId,
      category: r.category,
      country: r.country,
      channel: r.channel,
      score: r.score,
      severity: r.severity,
      anomalyId: r.anomalyId,
      status: r.status,
      label: r.label,
    })),
    nextCursor: rows.length > input.limit && last ? encodeEntityCursor(input.type, input.id, { timestamp: last.ms, id: last.id }) : null,
    total: Number(counted?.n ?? 0),
  }
}

/**
 * Where the cursor points, refused (BAD_INPUT naming `cursor`) when it is garbled, of
 * another entity's list, or points at a row that is not this organisation's and this
 * entity's at that time: a foreign cursor must not position (or reveal) anything.
 */
async function cursorPosition(db: Db, orgId: string, input: Input): Promise<EntityPosition> {
  const refuse = (): never => {
    throw new AppError('BAD_INPUT', "cursor: not a cursor from this entity's transactions; start again without one", { field: 'cursor' })
  }
  const position = decodeEntityCursor(input.cursor ?? '', input.type, input.id) ?? refuse()
  const cols = entityColumns(input.type)
  const found = await db.$queryRaw<{ id: string }[]>`
    SELECT t.id FROM "Transaction" t
     WHERE t.id = ${position.id} AND t."orgId" = ${orgId} AND ${cols.own} = ${input.id} AND t.timestamp = ${atMs(position.timestamp)}`
  if (found.length === 0) refuse()
  return position
}
