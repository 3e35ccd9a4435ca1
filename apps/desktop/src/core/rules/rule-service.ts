import { AppError } from '@anomalyze/shared'
import type { LocalBacktestArgs, LocalBacktestJob, LocalRuleSet, RuleCheckResult } from '../../contract/rules.ts'
import type { ScoringService } from '../scoring/scoring-service.ts'
import type { LocalStore } from '../store/local-store.ts'
import type { SyncEngine } from '../sync/sync-engine.ts'

export interface RuleServiceDeps {
  store: LocalStore
  sync: SyncEngine
  scoring: ScoringService
  now: () => number
}

/** The console's side of rules as data (see contract/rules.ts). Being built for #21. */
export interface RuleService {
  inForce(): LocalRuleSet | Promise<LocalRuleSet>
  check(expression: string): RuleCheckResult | Promise<RuleCheckResult>
  startLocalBacktest(args: LocalBacktestArgs): LocalBacktestJob | Promise<LocalBacktestJob>
  localBacktestJob(jobId: string): LocalBacktestJob | Promise<LocalBacktestJob>
}

export function createRuleService(_deps: RuleServiceDeps): RuleService {
  const notYet = (): never => {
    throw new AppError('UNAVAILABLE', 'Rules are not available in this build yet')
  }
  return { inForce: notYet, check: notYet, startLocalBacktest: notYet, localBacktestJob: notYet }
}
