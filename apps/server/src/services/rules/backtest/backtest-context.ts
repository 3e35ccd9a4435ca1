import { NO_LISTS, type ListInfo, type RuleLists } from '@anomalyze/shared'
import { compileRuleSet, DEFAULT_RULE_SET, type CompiledRuleSet, type FeatureConfig, type RuleSetDefinition } from '@anomalyze/shared/engine'
import type { Db } from '../../../db/prisma.ts'
import { featureConfigFor } from '../../entities/feature-config-for.ts'
import type { ModelRegistry } from '../../models/model-registry.ts'
import { rulesOf } from './backtest-store.ts'

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
  const [inForce, featureConfig, org] = await Promise.all([
    setInForce(db, orgId),
    featureConfigFor(models, db, orgId),
    db.organization.findUnique({ where: { id: orgId }, select: { alertBudgetPerDay: true } }),
  ])
  const listInfo = await listInfoOf(db, orgId)
  return { current: compileRuleSet(inForce, listInfo), listInfo, lists: NO_LISTS, featureConfig, alertBudgetPerDay: org?.alertBudgetPerDay ?? 0 }
}

export async function listInfoOf(db: Db, orgId: string): Promise<ListInfo[]> {
  return db.ruleList.findMany({ where: { orgId }, select: { name: true, kind: true, field: true }, orderBy: { name: 'asc' } })
}

/** The latest published version, else the built-in default set (version 0). */
async function setInForce(db: Db, orgId: string): Promise<RuleSetDefinition> {
  const latest = await db.ruleSetVersion.findFirst({ where: { orgId }, orderBy: { version: 'desc' }, select: { version: true, rules: true } })
  const rules = latest === null ? null : rulesOf(latest)
  return latest === null || rules === null ? DEFAULT_RULE_SET : { version: latest.version, rules }
}
