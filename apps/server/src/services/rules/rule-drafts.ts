import type { z } from 'zod'
import { AppError, textProblem, type ZRuleSaveDraftInput } from '@anomalyze/shared'
import { checkRule, checkRuleDefinition, type RuleDefinition, type RuleError } from '@anomalyze/shared/engine'
import type { Db, Prisma } from '../../db/prisma.ts'
import { recordAudit, type AuditActor } from '../audit/record-audit.ts'
import { isUniqueViolation } from '../cases/db-errors.ts'
import { rulesLockKey } from './lists.ts'
import { orgLists } from './org-lists.ts'
import { loadRuleSetInForce } from './rule-set-in-force.ts'

/**
 * Draft rules (`Rule` rows): what analysts edit before an admin publishes them. An
 * organisation that has none and never published starts from the rule set in force
 * (the built-in defaults), so the Rules view opens on something to change.
 */

export type RuleActor = AuditActor & { orgId: string; actor: string }
type Tx = Prisma.TransactionClient

const draftSelect = {
  id: true,
  name: true,
  expression: true,
  description: true,
  mode: true,
  severityFloor: true,
  scoreBoost: true,
  updatedById: true,
  createdAt: true,
  updatedAt: true,
} as const satisfies Prisma.RuleSelect

export type DraftRecord = Prisma.RuleGetPayload<{ select: typeof draftSelect }>

export const definitionOf = (draft: DraftRecord): RuleDefinition => ({
  name: draft.name,
  expression: draft.expression,
  description: draft.description,
  mode: draft.mode,
  severityFloor: draft.severityFloor,
  scoreBoost: draft.scoreBoost,
})

/** Set order is evaluation order: drafts keep the order they were created in (ties by name). */
const draftOrder = [{ createdAt: 'asc' }, { name: 'asc' }] as const satisfies Prisma.RuleOrderByWithRelationInput[]

/** The organisation's drafts in set order, seeded from the set in force on the first read of an organisation that never had any. */
export async function readDrafts(db: Db, orgId: string): Promise<DraftRecord[]> {
  const drafts = await db.rule.findMany({ where: { orgId }, orderBy: draftOrder, select: draftSelect })
  if (drafts.length > 0) return drafts
  // Only before the first publish: afterwards an empty draft set is the analysts' choice.
  const inForce = await loadRuleSetInForce(db, orgId)
  if (inForce.version !== 0) return drafts
  await db.rule.createMany({ data: draftRows(orgId, inForce.rules, null), skipDuplicates: true })
  return db.rule.findMany({ where: { orgId }, orderBy: draftOrder, select: draftSelect })
}

/** Rows for `rules` in their order: createdAt one millisecond apart, since one statement would give them all the same now(). */
function draftRows(orgId: string, rules: readonly RuleDefinition[], updatedById: string | null): Prisma.RuleCreateManyInput[] {
  const start = Date.now()
  return rules.map((rule, index) => ({ orgId, ...rule, updatedById, createdAt: new Date(start + index) }))
}

/** Replaces every draft with `rules` (a rollback): inside the caller's transaction. */
export async function resetDrafts(tx: Tx, orgId: string, rules: readonly RuleDefinition[], updatedById: string): Promise<void> {
  await tx.rule.deleteMany({ where: { orgId } })
  await tx.rule.createMany({ data: draftRows(orgId, rules, updatedById) })
}

/** `rules.check`: the expression's problems against the organisation's lists ([] when it is valid). */
export async function checkExpression(db: Db, orgId: string, expression: string): Promise<{ errors: RuleError[] }> {
  const { infos } = await orgLists(db, orgId)
  return { errors: checkRule(expression, infos) }
}

/** "Line 1, column 12: Unknown field …" (or the bare message for a name/boost problem, which has no position). */
export function describeRuleError(error: RuleError): string {
  return error.line > 0 ? `Line ${error.line}, column ${error.column}: ${error.message}` : error.message
}

/** The organisation's draft, or NOT_FOUND (another organisation's id is not found either). */
async function findDraft(tx: Tx, orgId: string, id: string): Promise<DraftRecord> {
  const draft = textProblem(id) === null ? await tx.rule.findFirst({ where: { id, orgId }, select: draftSelect }) : null
  if (!draft) throw new AppError('NOT_FOUND', `No draft rule ${JSON.stringify(id.slice(0, 100))} in this organisation`, { id })
  return draft
}

/**
 * Creates (no id) or changes a draft. Refused with BAD_INPUT when it does not check
 * against the organisation's lists: the message is the first problem with its line and
 * column, `details.errors` all of them (the console underlines each).
 */
export async function saveDraft(db: Db, actor: RuleActor, input: z.output<typeof ZRuleSaveDraftInput>): Promise<DraftRecord> {
  const rule: RuleDefinition = input.rule
  try {
    return await db.$transaction(async (tx) => {
      // The same lock as a list delete: a list cannot vanish between this check and the save.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${rulesLockKey(actor.orgId)}))`
      const { infos } = await orgLists(tx, actor.orgId)
      const errors = checkRuleDefinition(rule, infos)
      const first = errors[0]
      if (first !== undefined) throw new AppError('BAD_INPUT', describeRuleError(first), { rule: rule.name, errors })
      const before = input.id === undefined ? null : await findDraft(tx, actor.orgId, input.id)
      const saved =
        before === null
          ? await tx.rule.create({ data: { orgId: actor.orgId, ...rule, updatedById: actor.actor }, select: draftSelect })
          : await tx.rule.update({ where: { id: before.id }, data: { ...rule, updatedById: actor.actor }, select: draftSelect })
      await recordAudit(tx, actor, {
        action: before === null ? 'rules.draft.create' : 'rules.draft.update',
        entityType: 'Rule',
        entityId: saved.id,
        oldData: before === null ? null : { ...definitionOf(before) },
        newData: { ...rule },
      })
      return saved
    })
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError('BAD_INPUT', `name: another draft is already named "${rule.name}": pick another name`, {
        rule: rule.name,
        errors: [{ line: 0, column: 0, offset: 0, length: 1, message: `name: another draft is already named "${rule.name}"` }],
      })
    }
    throw error
  }
}

export async function deleteDraft(db: Db, actor: RuleActor, id: string): Promise<{ id: string }> {
  return db.$transaction(async (tx) => {
    const draft = await findDraft(tx, actor.orgId, id)
    await tx.rule.delete({ where: { id: draft.id } })
    await recordAudit(tx, actor, { action: 'rules.draft.delete', entityType: 'Rule', entityId: draft.id, oldData: { ...definitionOf(draft) } })
    return { id: draft.id }
  })
}
