import { checkRule } from '@anomalyze/shared/engine'
import type { LocalBacktestArgs, LocalBacktestJob, LocalRuleSet, RuleCheckResult } from '../../contract/rules.ts'
import type { ScoringService } from '../scoring/scoring-service.ts'
import type { LocalStore } from '../store/local-store.ts'
import type { SyncEngine } from '../sync/sync-engine.ts'
import { planBacktest, readBacktestSlices } from './backtest-sources.ts'
import { createLocalBacktests } from './local-backtest.ts'
import { createRulesInForce } from './rules-in-force.ts'

export interface RuleServiceDeps {
  store: LocalStore
  sync: SyncEngine
  scoring: ScoringService
  now: () => number
}

/** The console's side of rules as data (see contract/rules.ts). */
export interface RuleService {
  inForce(): LocalRuleSet | Promise<LocalRuleSet>
  check(expression: string): RuleCheckResult | Promise<RuleCheckResult>
  startLocalBacktest(args: LocalBacktestArgs): LocalBacktestJob | Promise<LocalBacktestJob>
  localBacktestJob(jobId: string): LocalBacktestJob | Promise<LocalBacktestJob>
}

/**
 * The rule set in force as synced (the sync stores it, see sync-rules.ts), checking a
 * rule's text against its lists as the analyst types, and backtests over the cache
 * and the scored files. All of it works offline.
 */
export function createRuleService(deps: RuleServiceDeps): RuleService {
  const { store } = deps
  const rules = createRulesInForce(store)
  const backtests = createLocalBacktests({
    inForce: () => rules.current(),
    plan: (batchIds) => planBacktest(store.db, batchIds),
    slices: (plan, featureConfig, sliceRows) => readBacktestSlices(store.db, plan, featureConfig, sliceRows),
    featureConfig: () => deps.scoring.featureConfig(),
    now: deps.now,
  })
  return {
    inForce: () => structuredClone(rules.current().summary),
    check: (expression) => checkRule(expression, rules.current().listInfos),
    startLocalBacktest: (args) => backtests.start(args),
    localBacktestJob: (jobId) => backtests.job(jobId),
  }
}
