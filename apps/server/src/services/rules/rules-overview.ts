import type { ListField, TRuleDraftRow, TRulesInForce, TRulesOverview } from '@anomalyze/shared'
import type { RuleDefinition } from '@anomalyze/shared/engine'
import type { Db } from '../../db/prisma.ts'
import { definitionOf, readDrafts, type DraftRecord } from './rule-drafts.ts'
import { loadRuleSetInForce } from './rule-set-in-force.ts'
import { summaryOfVersion } from './rule-versions.ts'
import { rulesHash } from '@anomalyze/shared/node'

const HITS_WINDOW_MS = 7 * 24 * 60 * 60 * 1000

/** `rules.list`: the drafts against the version in force, rules it would remove, hits of the last 7 days and the alert budget. */
export async function rulesOverview(db: Db, orgId: string, now = Date.now()): Promise<TRulesOverview> {
  const drafts = await readDrafts(db, orgId)
  const inForce = await loadRuleSetInForce(db, orgId)
  const [summary, hitGroups, org] = await Promise.all([
    summaryOfVersion(db, orgId, inForce.version),
    db.ruleHit.groupBy({ by: ['ruleName', 'mode'], where: { orgId, createdAt: { gte: new Date(now - HITS_WINDOW_MS) } }, _count: { _all: true } }),
    db.organization.findUnique({ where: { id: orgId }, select: { alertBudgetPerDay: true } }),
  ])
  const published = new Map(inForce.rules.map((rule) => [rule.name, rulesHash([rule])]))
  const draftNames = new Set(drafts.map((draft) => draft.name))
  const people = await peopleNamed(db, drafts)
  const hits = new Map<string, { name: string; hits7d: number; shadowHits7d: number }>()
  for (const group of hitGroups) {
    const row = hits.get(group.ruleName) ?? { name: group.ruleName, hits7d: 0, shadowHits7d: 0 }
    if (group.mode === 'SHADOW') row.shadowHits7d += group._count._all
    else row.hits7d += group._count._all
    hits.set(group.ruleName, row)
  }
  return {
    drafts: drafts.map((draft) => draftRow(draft, published, people)),
    removed: inForce.rules.filter((rule) => !draftNames.has(rule.name)).map((rule) => rule.name),
    inForce: summary,
    hits: [...hits.values()].sort((a, b) => a.name.localeCompare(b.name)),
    alertBudgetPerDay: org?.alertBudgetPerDay ?? 0,
  }
}

function draftRow(draft: DraftRecord, published: ReadonlyMap<string, string>, people: ReadonlyMap<string, string>): TRuleDraftRow {
  const definition: RuleDefinition = definitionOf(draft)
  const inForce = published.get(draft.name)
  return {
    id: draft.id,
    ...definition,
    state: inForce === undefined ? 'new' : inForce === rulesHash([definition]) ? 'published' : 'changed',
    updatedBy: draft.updatedById === null ? null : { id: draft.updatedById, name: people.get(draft.updatedById) ?? draft.updatedById },
    updatedAt: draft.updatedAt.getTime(),
  }
}

async function peopleNamed(db: Db, drafts: readonly DraftRecord[]): Promise<Map<string, string>> {
  const ids = [...new Set(drafts.flatMap((draft) => (draft.updatedById === null ? [] : [draft.updatedById])))]
  if (ids.length === 0) return new Map()
  const people = await db.user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true, email: true } })
  return new Map(people.map((person) => [person.id, person.name ?? person.email ?? person.id]))
}

/** `rules.inForce`: what the console evaluates offline, the set in force and every list with its entries. */
export async function rulesInForce(db: Db, orgId: string): Promise<TRulesInForce> {
  const [inForce, lists] = await Promise.all([
    loadRuleSetInForce(db, orgId),
    db.ruleList.findMany({
      where: { orgId },
      orderBy: { name: 'asc' },
      select: { name: true, kind: true, field: true, entries: { orderBy: { value: 'asc' }, select: { value: true, reason: true } } },
    }),
  ])
  return {
    version: inForce.version,
    rules: inForce.rules,
    lists: lists.map((list) => ({ name: list.name, kind: list.kind, field: list.field as ListField, entries: list.entries })),
  }
}

/** One saved draft as `rules.list` shows it (what `rules.saveDraft` answers). */
export async function draftRowOf(db: Db, orgId: string, draft: DraftRecord): Promise<TRuleDraftRow> {
  const [inForce, people] = await Promise.all([loadRuleSetInForce(db, orgId), peopleNamed(db, [draft])])
  return draftRow(draft, new Map(inForce.rules.map((rule) => [rule.name, rulesHash([rule])])), people)
}
