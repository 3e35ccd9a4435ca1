import type { z } from 'zod'
import { AppError, ZRuleDefinition, type TRuleDiff, type TRuleSetVersionSummary, type ZRulePublishInput, type ZRuleRollbackInput } from '@anomalyze/shared'
import { compileRuleSet, DEFAULT_RULE_SET, RuleSetError, type RuleDefinition } from '@anomalyze/shared/engine'
import type { Db, Prisma } from '../../db/prisma.ts'
import { recordAudit } from '../audit/record-audit.ts'
import { isUniqueViolation } from '../cases/db-errors.ts'
import { rulesLockKey } from './lists.ts'
import { orgLists } from './org-lists.ts'
import { definitionOf, describeRuleError, readDrafts, resetDrafts, type RuleActor } from './rule-drafts.ts'
import { invalidateRuleSet } from './rule-set-cache.ts'
import { loadRuleSetInForce } from './rule-set-in-force.ts'
import { rulesHash } from '@anomalyze/shared/node'

/**
 * Rule-set versions: publish the drafts as a new version, list and open versions (with
 * the diff against the one before), roll back to an earlier one. Version 0 is the
 * built-in DEFAULT_RULE_SET, in force until the first publish; a version is never
 * changed, a rollback publishes the old rules again as a new version.
 */

type Tx = Prisma.TransactionClient
const ZStoredRules = ZRuleDefinition.array()

interface VersionRow {
  version: number
  rules: RuleDefinition[]
  createdAt: Date | null
  publishedById: string | null
  comment: string
  restoredFrom: number | null
}

const DEFAULT_VERSION: VersionRow = {
  version: 0,
  rules: DEFAULT_RULE_SET.rules,
  createdAt: null,
  publishedById: null,
  comment: 'Built-in rules',
  restoredFrom: null,
}

/** A stored version's rules, parsed again: a row edited by hand fails naming its version rather than deep in evaluation. */
function storedRules(json: Prisma.JsonValue, version: number): RuleDefinition[] {
  const parsed = ZStoredRules.safeParse(json)
  if (!parsed.success) throw new Error(`rule set version ${version} is not a list of rule definitions: ${parsed.error.message}`)
  return parsed.data
}

async function findVersion(db: Db | Tx, orgId: string, version: number): Promise<VersionRow> {
  if (version === 0) return DEFAULT_VERSION
  const row = await db.ruleSetVersion.findUnique({ where: { orgId_version: { orgId, version } } })
  if (row === null) throw new AppError('NOT_FOUND', `No rule set version ${version} in this organisation`, { version })
  return { ...row, rules: storedRules(row.rules, row.version) }
}

async function summariesOf(db: Db, rows: readonly VersionRow[]): Promise<TRuleSetVersionSummary[]> {
  const ids = [...new Set(rows.flatMap((row) => (row.publishedById === null ? [] : [row.publishedById])))]
  const people = ids.length === 0 ? [] : await db.user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true, email: true } })
  const nameOf = new Map(people.map((person) => [person.id, person.name ?? person.email ?? person.id]))
  return rows.map((row) => ({
    version: row.version,
    publishedAt: row.createdAt?.getTime() ?? null,
    publishedBy: row.publishedById === null ? null : { id: row.publishedById, name: nameOf.get(row.publishedById) ?? row.publishedById },
    comment: row.comment,
    ruleCount: row.rules.length,
    restoredFrom: row.restoredFrom,
  }))
}

export async function summaryOfVersion(db: Db, orgId: string, version: number): Promise<TRuleSetVersionSummary> {
  const [summary] = await summariesOf(db, [await findVersion(db, orgId, version)])
  if (summary === undefined) throw new Error('unreachable: one version in, one summary out')
  return summary
}

/** Every version of the organisation, newest first, ending with version 0 (the built-in set). */
export async function listVersions(db: Db, orgId: string): Promise<TRuleSetVersionSummary[]> {
  const rows = await db.ruleSetVersion.findMany({ where: { orgId }, orderBy: { version: 'desc' } })
  return summariesOf(db, [...rows.map((row) => ({ ...row, rules: storedRules(row.rules, row.version) })), DEFAULT_VERSION])
}

/** One version's rules and what changed against the version before it (version 0 against nothing). */
export async function versionDetail(db: Db, orgId: string, version: number) {
  const row = await findVersion(db, orgId, version)
  const previous = version === 0 ? null : await previousVersion(db, orgId, version)
  const [summary] = await summariesOf(db, [row])
  if (summary === undefined) throw new Error('unreachable: one version in, one summary out')
  return { summary, rules: row.rules, diff: diffRules(previous?.rules ?? [], row.rules) }
}

async function previousVersion(db: Db, orgId: string, version: number): Promise<VersionRow> {
  const row = await db.ruleSetVersion.findFirst({ where: { orgId, version: { lt: version } }, orderBy: { version: 'desc' } })
  return row === null ? DEFAULT_VERSION : { ...row, rules: storedRules(row.rules, row.version) }
}

const sameRule = (a: RuleDefinition, b: RuleDefinition): boolean => rulesHash([a]) === rulesHash([b])

/** Rule by rule, by name: the `after` set's rules in its order, then those only `before` had. */
export function diffRules(before: readonly RuleDefinition[], after: readonly RuleDefinition[]): TRuleDiff[] {
  const beforeByName = new Map(before.map((rule) => [rule.name, rule]))
  const afterNames = new Set(after.map((rule) => rule.name))
  const kept: TRuleDiff[] = after.map((rule) => {
    const old = beforeByName.get(rule.name) ?? null
    const change = old === null ? 'added' : sameRule(old, rule) ? 'unchanged' : 'changed'
    return { name: rule.name, change, before: old, after: rule }
  })
  const removed: TRuleDiff[] = before
    .filter((rule) => !afterNames.has(rule.name))
    .map((rule) => ({ name: rule.name, change: 'removed', before: rule, after: null }))
  return [...kept, ...removed]
}

/**
 * Why publishing these drafts needs the admin's confirmation, or null: they were never
 * backtested as they are (no COMPLETED backtest whose rulesHash is theirs), or their
 * latest such backtest raised more alerts on its busiest day than the budget.
 */
async function publishWarning(db: Db, orgId: string, rules: readonly RuleDefinition[]): Promise<AppError | null> {
  const hash = rulesHash(rules)
  const backtest = await db.ruleBacktest.findFirst({
    where: { orgId, status: 'COMPLETED', result: { path: ['rulesHash'], equals: hash } },
    orderBy: [{ completedAt: 'desc' }, { createdAt: 'desc' }],
    select: { result: true },
  })
  if (backtest === null) {
    // The budget still helps the admin judge an untested set: the console quotes it.
    const org = await db.organization.findUnique({ where: { id: orgId }, select: { alertBudgetPerDay: true } })
    return new AppError('CONFLICT', 'These drafts have not been backtested as they are: backtest them first, or publish anyway?', {
      reason: 'not_backtested',
      peakHitsPerDay: null,
      alertBudgetPerDay: org?.alertBudgetPerDay ?? null,
    })
  }
  const result = backtest.result as { overBudget?: unknown; peakHitsPerDay?: unknown; alertBudgetPerDay?: unknown } | null
  if (result?.overBudget !== true) return null
  const peak = Number(result.peakHitsPerDay)
  const budget = Number(result.alertBudgetPerDay)
  return new AppError('CONFLICT', `Its backtest raised up to ${peak} alerts a day; the budget is ${budget}. Publish anyway?`, {
    reason: 'over_budget',
    peakHitsPerDay: peak,
    alertBudgetPerDay: budget,
  })
}

/** The drafts must compile against today's lists; BAD_INPUT names the rule, line and column otherwise. */
function assertCompiles(rules: RuleDefinition[], infos: Parameters<typeof compileRuleSet>[1]): void {
  try {
    compileRuleSet({ version: 0, rules }, infos)
  } catch (error) {
    if (!(error instanceof RuleSetError)) throw error
    const first = error.errors[0]
    const where = first?.errors[0]
    throw new AppError('BAD_INPUT', `${first?.rule ?? 'a rule'}: ${where === undefined ? 'does not check' : describeRuleError(where)}`, {
      problems: error.errors,
    })
  }
}

/**
 * Stores `rules` as the next version (max + 1) under the organisation's rules lock, with
 * its audit row; unique(orgId, version) is the backstop should another writer skip the lock.
 */
async function storeVersion(
  db: Db,
  actor: RuleActor,
  write: { rules: RuleDefinition[]; comment: string; restoredFrom: number | null; action: 'rules.publish' | 'rules.rollback' },
  inTransaction?: (tx: Tx) => Promise<void>,
): Promise<TRuleSetVersionSummary> {
  try {
    const version = await db.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${rulesLockKey(actor.orgId)}))`
      const old = await loadRuleSetInForce(tx, actor.orgId)
      const next = old.version + 1
      await tx.ruleSetVersion.create({
        data: {
          orgId: actor.orgId,
          version: next,
          rules: write.rules as unknown as Prisma.InputJsonValue,
          comment: write.comment,
          publishedById: actor.actor,
          restoredFrom: write.restoredFrom,
        },
      })
      await inTransaction?.(tx)
      await recordAudit(tx, actor, {
        action: write.action,
        entityType: 'RuleSetVersion',
        entityId: String(next),
        oldData: { version: old.version, rules: old.rules as unknown as Prisma.InputJsonValue },
        newData: { version: next, rules: write.rules as unknown as Prisma.InputJsonValue, comment: write.comment, restoredFrom: write.restoredFrom },
      })
      return next
    })
    invalidateRuleSet(actor.orgId)
    return summaryOfVersion(db, actor.orgId, version)
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('CONFLICT', 'Someone else published a rule set at the same moment: reload and try again', {})
    throw error
  }
}

/** `rules.publish`: the drafts as the next version (admins), after the backtest/budget check unless `confirmed`. */
export async function publishDrafts(db: Db, actor: RuleActor, input: z.output<typeof ZRulePublishInput>): Promise<TRuleSetVersionSummary> {
  const rules = (await readDrafts(db, actor.orgId)).map(definitionOf)
  assertCompiles(rules, (await orgLists(db, actor.orgId)).infos)
  if (!input.confirmed) {
    const warning = await publishWarning(db, actor.orgId, rules)
    if (warning !== null) throw warning
  }
  return storeVersion(db, actor, { rules, comment: input.comment.trim(), restoredFrom: null, action: 'rules.publish' })
}

/** `rules.rollback`: an earlier version's rules published again as a new version; the drafts are reset to them. */
export async function rollbackTo(db: Db, actor: RuleActor, input: z.output<typeof ZRuleRollbackInput>): Promise<TRuleSetVersionSummary> {
  const target = await findVersion(db, actor.orgId, input.version)
  // The lists may have changed since: a set that no longer compiles would stop ingestion.
  assertCompiles(target.rules, (await orgLists(db, actor.orgId)).infos)
  return storeVersion(db, actor, { rules: target.rules, comment: input.comment.trim(), restoredFrom: target.version, action: 'rules.rollback' }, (tx) =>
    resetDrafts(tx, actor.orgId, target.rules, actor.actor),
  )
}
