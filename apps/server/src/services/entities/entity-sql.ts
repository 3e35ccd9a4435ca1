import type { CaseEntityType } from '@anomalyze/shared'
import { Prisma } from '../../db/prisma.ts'

/**
 * SQL fragments the entity queries share. Timestamps are stored as UTC `timestamp`
 * values (no zone); epoch milliseconds cross into SQL by exact interval arithmetic and
 * come out the same way, whatever the session's time zone.
 */
export const atMs = (ms: number): Prisma.Sql => Prisma.sql`(timestamp '1970-01-01' + ${ms}::bigint * interval '1 millisecond')`

export const msOf = (column: string): Prisma.Sql => Prisma.raw(`(extract(epoch from ${column}) * 1000)::float8`)

/** The transaction column naming the entity, and the one naming its counterparty (fixed names, never input). */
export function entityColumns(type: CaseEntityType): { own: Prisma.Sql; other: Prisma.Sql; ownName: string; otherName: string } {
  const [ownName, otherName] = type === 'ACCOUNT' ? ['accountId', 'merchantId'] : ['merchantId', 'accountId']
  return { own: Prisma.raw(`t."${ownName}"`), other: Prisma.raw(`t."${otherName}"`), ownName, otherName }
}
