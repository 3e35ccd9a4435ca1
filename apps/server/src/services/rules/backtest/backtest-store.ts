import { ZBacktestResult, ZRuleDefinition, type RuleDefinition, type TBacktestJob, type TBacktestResult } from '@anomalyze/shared'
import { z } from 'zod'
import type { Db, Prisma } from '../../../db/prisma.ts'

/** Most characters of a failure reason kept on the row. */
const MAX_REASON_LENGTH = 500

export const backtestSelect = {
  id: true,
  orgId: true,
  rules: true,
  days: true,
  status: true,
  processed: true,
  total: true,
  result: true,
  failureReason: true,
  createdAt: true,
  completedAt: true,
} satisfies Prisma.RuleBacktestSelect

export type BacktestRow = Prisma.RuleBacktestGetPayload<{ select: typeof backtestSelect }>

export function toBacktestJob(row: BacktestRow): TBacktestJob {
  // Stored by this server; a row it cannot read (written by another version) shows no result rather than failing the call.
  const result = row.result === null ? null : (ZBacktestResult.safeParse(row.result).data ?? null)
  return {
    id: row.id,
    status: row.status,
    days: row.days,
    processed: row.processed,
    total: row.total,
    createdAt: row.createdAt.getTime(),
    completedAt: row.completedAt?.getTime() ?? null,
    failureReason: row.failureReason,
    result,
  }
}

const ZStoredRules = z.array(ZRuleDefinition)

/** The definitions a backtest row tests, or null when the stored JSON is not a rule list. */
export function rulesOf(row: Pick<BacktestRow, 'rules'>): RuleDefinition[] | null {
  return ZStoredRules.safeParse(row.rules).data ?? null
}

export async function createBacktestRow(db: Db, orgId: string, createdById: string, rules: readonly RuleDefinition[], days: number): Promise<BacktestRow> {
  return db.ruleBacktest.create({ data: { orgId, createdById, rules: rules as unknown as Prisma.InputJsonArray, days }, select: backtestSelect })
}

export async function findBacktest(db: Db, orgId: string, id: string): Promise<BacktestRow | null> {
  return db.ruleBacktest.findFirst({ where: { id, orgId }, select: backtestSelect })
}

/** A backtest by id in any organisation: for its job only (callers go through findBacktest). */
export async function findBacktestById(db: Db, id: string): Promise<BacktestRow | null> {
  return db.ruleBacktest.findUnique({ where: { id }, select: backtestSelect })
}

/** The organisation's latest backtests, newest first. */
export async function recentBacktests(db: Db, orgId: string, take: number): Promise<BacktestRow[]> {
  return db.ruleBacktest.findMany({ where: { orgId }, select: backtestSelect, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take })
}

/** Claims a queued (or, after a dead worker, half-run) backtest: false when it finished already or is gone. */
export async function markProcessing(db: Db, id: string): Promise<boolean> {
  const { count } = await db.ruleBacktest.updateMany({
    where: { id, status: { in: ['QUEUED', 'PROCESSING'] } },
    data: { status: 'PROCESSING', processed: 0, total: 0, failureReason: null },
  })
  return count === 1
}

export async function noteProgress(db: Db, id: string, progress: { processed: number; total: number }): Promise<void> {
  await db.ruleBacktest.update({ where: { id }, data: progress })
}

export async function completeBacktest(db: Db, id: string, processed: number, result: TBacktestResult): Promise<void> {
  await db.ruleBacktest.update({
    where: { id },
    data: { status: 'COMPLETED', processed, result: result as unknown as Prisma.InputJsonObject, completedAt: new Date() },
  })
}

export async function failBacktest(db: Db, id: string, reason: string): Promise<void> {
  await db.ruleBacktest.updateMany({
    where: { id, status: { in: ['QUEUED', 'PROCESSING'] } },
    data: { status: 'FAILED', failureReason: reason.slice(0, MAX_REASON_LENGTH), completedAt: new Date() },
  })
}
