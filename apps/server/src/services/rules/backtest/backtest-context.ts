import type { ListInfo, RuleLists } from '@anomalyze/shared'
import { compileRuleSet, type CompiledRuleSet, type FeatureConfig } from '@anomalyze/shared/engine'
import type { Db } from '../../../db/prisma.ts'
import { featureConfigFor } from '../../entities/feature-config-for.ts'
import type { ModelRegistry } from '../../models/model-registry.ts'
import { orgLists } from '../org-lists.ts'
import { loadRuleSetInForce } from '../rule-set-in-force.ts'

/** What a backtest compares the tested set with, and the organisation's settings it reports against. */
export interface BacktestContext {
  /** The set in force (what ingestion evaluates now), compiled. */
  current: CompiledRuleSet
  /** The lists rules may name, for compiling the tested set. */
  listInfo: ListInfo[]
  lists: RuleLists
  featureConfig: FeatureConfig
  alertBudgetPerDay: number
}

export async function loadBacktestContext(db: Db, models: ModelRegistry, orgId: string): Promise<BacktestContext> {
  const [inForce, { infos, lists }, featureConfig, org] = await Promise.all([
    loadRuleSetInForce(db, orgId),
    orgLists(db, orgId),
    featureConfigFor(models, db, orgId),
    db.organization.findUnique({ where: { id: orgId }, select: { alertBudgetPerDay: true } }),
  ])
  // The lists as they are now (a backtest asks what the rules would do with today's lists).
  return { current: compileRuleSet(inForce, infos), listInfo: infos, lists, featureConfig, alertBudgetPerDay: org?.alertBudgetPerDay ?? 0 }
}

export async function listInfoOf(db: Db, orgId: string): Promise<ListInfo[]> {
  return (await orgLists(db, orgId)).infos
}
