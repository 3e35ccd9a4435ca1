import type { TRuleDefinition, TRuleDraftRow } from './rules-api.ts'

/** A draft row's definition alone (what a backtest or publish evaluates). */
export function definitionOf(row: TRuleDraftRow): TRuleDefinition {
  const { name, expression, description, mode, severityFloor, scoreBoost } = row
  return { name, expression, description, mode, severityFloor, scoreBoost }
}

/**
 * The set a backtest tests: the drafts in their order, with the rule being edited as it
 * stands in the editor (in its draft's place, or last when it is new).
 */
export function draftsWithChange(drafts: readonly TRuleDraftRow[], editing: { id: string | null; rule: TRuleDefinition } | null): TRuleDefinition[] {
  const set = drafts.map((d) => (editing !== null && d.id === editing.id ? editing.rule : definitionOf(d)))
  if (editing !== null && (editing.id === null || !drafts.some((d) => d.id === editing.id))) set.push(editing.rule)
  return set
}
