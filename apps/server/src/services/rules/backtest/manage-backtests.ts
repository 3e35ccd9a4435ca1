import { AppError, type RuleDefinition, type TBacktestJob } from '@anomalyze/shared'
import type { Db } from '../../../db/prisma.ts'
import type { JobQueue } from '../../../jobs/job-queue.ts'
import { rulesHash } from '@anomalyze/shared/node'
import { listInfoOf } from './backtest-context.ts'
import { RULE_BACKTEST_QUEUE } from './backtest-queue.ts'
import { createBacktestRow, failBacktest, findBacktest, recentBacktests, rulesOf, toBacktestJob } from './backtest-store.ts'
import { compileDraft } from './compile-draft.ts'

/** How many recent backtests `latest` looks through for one of the given rules. */
const LATEST_LOOKBACK = 50

export interface StartBacktestInput {
  rules: RuleDefinition[]
  days: number
}

/**
 * Checks the tested set (a set that does not compile is BAD_INPUT with the rule and its
 * line and column, and nothing is queued), records the backtest QUEUED and queues its
 * job. Several backtests of one organisation may run at once. If the queue refuses,
 * the row is marked FAILED with that reason, so it never sits QUEUED.
 */
export async function startBacktest(
  db: Db,
  jobs: Pick<JobQueue, 'send'>,
  actor: { orgId: string; actor: string },
  input: StartBacktestInput,
): Promise<TBacktestJob> {
  compileDraft(input.rules, await listInfoOf(db, actor.orgId))
  const row = await createBacktestRow(db, actor.orgId, actor.actor, input.rules, input.days)
  try {
    await jobs.send(RULE_BACKTEST_QUEUE, { backtestId: row.id }, { singletonKey: row.id })
  } catch (error) {
    const reason = `The backtest could not be queued (${error instanceof Error ? error.message : String(error)}); try again.`
    await failBacktest(db, row.id, reason)
    throw new AppError('UNAVAILABLE', reason, { backtestId: row.id })
  }
  return toBacktestJob(row)
}

export async function getBacktest(db: Db, orgId: string, id: string): Promise<TBacktestJob> {
  const row = await findBacktest(db, orgId, id)
  if (row === null) throw new AppError('NOT_FOUND', `No backtest ${id} in this organisation`)
  return toBacktestJob(row)
}

/**
 * The organisation's newest backtest, or with `hash` its newest backtest of exactly
 * those rules (rulesHash of the tested definitions, running ones included); null when
 * there is none among its last LATEST_LOOKBACK.
 */
export async function latestBacktest(db: Db, orgId: string, hash: string | undefined): Promise<TBacktestJob | null> {
  const rows = await recentBacktests(db, orgId, hash === undefined ? 1 : LATEST_LOOKBACK)
  const match = rows.find((row) => {
    if (hash === undefined) return true
    const rules = rulesOf(row)
    return rules !== null && rulesHash(rules) === hash
  })
  return match === undefined ? null : toBacktestJob(match)
}
