import { randomUUID } from 'node:crypto'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { AppError, type RuleDefinition } from '@anomalyze/shared'
import { compileRuleSet, FEATURE_NAMES, RuleSetError, type CompiledRuleSet, type FeatureConfig } from '@anomalyze/shared/engine'
import type { LocalBacktestArgs, LocalBacktestJob } from '../../contract/rules.ts'
import type { BacktestPlan, BacktestSlice } from './backtest-sources.ts'
import { LocalBacktestTally } from './backtest-tally.ts'
import type { RuleSetInForce } from './rules-in-force.ts'
import { rulesHash } from '@anomalyze/shared/node'

/** Rows evaluated between two turns of the core's event loop: other calls are answered in between. */
export const SLICE_ROWS = 5_000
/** The alert budget a backtest is measured against when the console knows no other. */
export const DEFAULT_ALERT_BUDGET_PER_DAY = 200
/** Finished jobs kept for polling; the oldest goes first. */
const KEPT_JOBS = 20

const WIDTH = FEATURE_NAMES.length

export interface LocalBacktestDeps {
  inForce: () => RuleSetInForce
  plan: (batchIds: readonly string[] | undefined) => BacktestPlan
  slices: (plan: BacktestPlan, featureConfig: FeatureConfig, sliceRows: number) => AsyncIterable<BacktestSlice>
  featureConfig: () => Promise<FeatureConfig>
  alertBudgetPerDay?: () => number
  now: () => number
}

export interface LocalBacktests {
  start(args: LocalBacktestArgs): LocalBacktestJob
  job(jobId: string): LocalBacktestJob
  /** Resolves when the job has ended (tests). */
  settled(jobId: string): Promise<LocalBacktestJob>
}

/**
 * Backtests of a draft rule set over this console's own data, offline: a job in the
 * core that evaluates the draft set and the set in force on every row, a slice at a
 * time. A draft that does not compile is refused at start (BAD_INPUT with each rule's
 * errors), not reported as a failed job.
 */
export function createLocalBacktests(deps: LocalBacktestDeps): LocalBacktests {
  const jobs = new Map<string, { job: LocalBacktestJob; done: Promise<void> }>()

  const run = async (job: LocalBacktestJob, draft: CompiledRuleSet, rules: RuleDefinition[], batchIds: readonly string[] | undefined): Promise<void> => {
    try {
      const inForce = deps.inForce()
      const plan = deps.plan(batchIds)
      job.total = plan.total
      const tally = new LocalBacktestTally(rules)
      const featureConfig = await deps.featureConfig()
      for await (const slice of deps.slices(plan, featureConfig, SLICE_ROWS)) {
        evaluateSlice(slice, draft, inForce, tally)
        job.processed += slice.rows.length
        // The total counted the files' rows when the plan was made; a slice is never more.
        job.total = Math.max(job.total, job.processed)
        await nextTurn()
      }
      const result = tally.result({
        alertBudgetPerDay: deps.alertBudgetPerDay?.() ?? DEFAULT_ALERT_BUDGET_PER_DAY,
        rulesHash: rulesHash(rules),
        now: deps.now(),
      })
      Object.assign(job, { status: 'done', result: { ...result, sources: plan.sources } })
    } catch (error) {
      Object.assign(job, { status: 'failed', error: error instanceof Error ? error.message : String(error) })
    }
  }

  const copy = (job: LocalBacktestJob): LocalBacktestJob => ({ ...job })

  return {
    start(args) {
      const running = [...jobs.values()].find((j) => j.job.status === 'running')
      if (running !== undefined) throw new AppError('CONFLICT', 'a backtest is still running here; wait for it to finish', { jobId: running.job.jobId })
      const draft = compileDraft(args.rules, deps.inForce())
      // An unknown file is refused now, not as a failed job.
      deps.plan(args.batchIds)
      const job: LocalBacktestJob = { jobId: randomUUID(), status: 'running', processed: 0, total: 0, result: null, error: null }
      const done = run(job, draft, args.rules, args.batchIds)
      jobs.set(job.jobId, { job, done })
      for (const id of jobs.keys()) {
        if (jobs.size <= KEPT_JOBS) break
        if (jobs.get(id)?.job.status !== 'running') jobs.delete(id)
      }
      return copy(job)
    },
    job(jobId) {
      const entry = jobs.get(jobId)
      if (entry === undefined) throw new AppError('NOT_FOUND', `no local backtest ${jobId}`)
      return copy(entry.job)
    },
    async settled(jobId) {
      const entry = jobs.get(jobId)
      if (entry === undefined) throw new AppError('NOT_FOUND', `no local backtest ${jobId}`)
      await entry.done
      return copy(entry.job)
    },
  }
}

/** Compiles the draft against the synced lists; BAD_INPUT naming each rule that does not check. */
function compileDraft(rules: RuleDefinition[], inForce: RuleSetInForce): CompiledRuleSet {
  try {
    return compileRuleSet({ version: -1, rules }, inForce.listInfos)
  } catch (error) {
    if (!(error instanceof RuleSetError)) throw error
    const first = error.errors[0]
    const where = first?.errors[0]
    const message =
      first === undefined || where === undefined
        ? error.message
        : `${first.rule}: line ${where.line}, column ${where.column}: ${where.message}${error.errors.length > 1 ? ` (and ${error.errors.length - 1} more rules)` : ''}`
    throw new AppError('BAD_INPUT', `the draft rule set does not check: ${message}`, { errors: error.errors })
  }
}

function evaluateSlice(slice: BacktestSlice, draft: CompiledRuleSet, inForce: RuleSetInForce, tally: LocalBacktestTally): void {
  for (let i = 0; i < slice.rows.length; i += 1) {
    const row = slice.rows[i]
    const tx = slice.transactions[i]
    if (row === undefined || tx === undefined) continue
    const offset = i * WIDTH
    tally.add(row, draft.evaluate(tx, slice.features, offset, inForce.lists), inForce.compiled.evaluate(tx, slice.features, offset, inForce.lists))
  }
}
