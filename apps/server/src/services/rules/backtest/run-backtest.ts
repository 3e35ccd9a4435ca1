import { AppError } from '@anomalyze/shared'
import { RuleSetError } from '@anomalyze/shared/engine'
import { sqlPoolOf, type Db } from '../../../db/prisma.ts'
import type { Logger } from '../../../logger.ts'
import type { ModelRegistry } from '../../models/model-registry.ts'
import { loadBacktestContext } from './backtest-context.ts'
import { completeBacktest, failBacktest, findBacktestById, markProcessing, noteProgress, rulesOf } from './backtest-store.ts'
import { BacktestTally } from './backtest-tally.ts'
import { backtestWindow } from './backtest-window.ts'
import { compileDraft } from './compile-draft.ts'
import { rulesHash } from '@anomalyze/shared/node'
import { replayBacktest } from './replay-backtest.ts'
import { withReplaySource } from './replay-source.ts'

/** Progress is stored at most this often: often enough for a progress bar, rarely enough to cost nothing. */
const PROGRESS_INTERVAL_MS = 500

export interface RunBacktestDeps {
  db: Db
  models: ModelRegistry
  log: Logger
  /** The clock (tests pin it). */
  now?: () => number
}

/**
 * Runs one backtest to its end: COMPLETED with its result, or FAILED with a reason
 * a person can read. It never throws for a backtest that cannot run (a draft that no
 * longer checks, a set in force that does not compile, a database error mid-way), so
 * a row is never left PROCESSING by a failure; only a worker that dies leaves one,
 * and the job's retry then runs it again from the start.
 */
export async function runBacktest(deps: RunBacktestDeps, backtestId: string): Promise<void> {
  const { db, log } = deps
  const row = await findBacktestById(db, backtestId)
  if (row === null || !(await markProcessing(db, backtestId))) return
  try {
    const rules = rulesOf(row)
    if (rules === null) throw new AppError('BAD_INPUT', 'The stored rules of this backtest are not rule definitions')
    const context = await loadBacktestContext(db, deps.models, row.orgId)
    const draft = compileDraft(rules, context.listInfo)
    const result = await withReplaySource(sqlPoolOf(db), row.orgId, async (source) => {
      const window = backtestWindow(await source.latestTimestamp(), row.days, (deps.now ?? Date.now)())
      const total = await source.count(window.replayFrom, window.to)
      await noteProgress(db, backtestId, { processed: 0, total })
      let storedAt = Date.now()
      const tally = new BacktestTally(rules, window)
      const processed = await replayBacktest(
        {
          window,
          draft,
          current: context.current,
          lists: context.lists,
          featureConfig: context.featureConfig,
          pages: source.pages(window.replayFrom, window.to),
          onProgress: async (n) => {
            if (Date.now() - storedAt < PROGRESS_INTERVAL_MS) return
            storedAt = Date.now()
            await noteProgress(db, backtestId, { processed: n, total })
          },
        },
        tally,
      )
      return { processed, result: tally.result({ alertBudgetPerDay: context.alertBudgetPerDay, rulesHash: rulesHash(rules) }) }
    })
    await completeBacktest(db, backtestId, result.processed, result.result)
  } catch (error) {
    log.warn({ err: error, backtestId }, 'rule backtest failed')
    await failBacktest(db, backtestId, failureReasonOf(error))
  }
}

/** Words for the person who started the backtest; internals (SQL, stacks) stay in the log. */
export function failureReasonOf(error: unknown): string {
  if (error instanceof AppError) return error.message
  if (error instanceof RuleSetError) {
    return `The rules in force do not compile any more (${error.errors.map((e) => e.rule).join(', ')}): publish a corrected set, then backtest again.`
  }
  return 'The backtest stopped on an internal error; start it again, and if it fails again contact support (the server log has the details).'
}
