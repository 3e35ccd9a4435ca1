import type { Severity } from '../domain/severity.ts'

/**
 * Rules as data: what an analyst writes, what a published rule set holds, and what
 * evaluating one answers. The server (real-time and batch ingest, backtests) and the
 * desktop (file scoring, local backtests) compile the same definitions with
 * compileRuleSet (rule-set.ts) and so evaluate a rule the same way.
 */

/** ACTIVE raises alerts; SHADOW is evaluated and its hits recorded, but raises none; OFF is kept and not evaluated. */
export const RULE_MODES = ['ACTIVE', 'SHADOW', 'OFF'] as const
export type RuleMode = (typeof RULE_MODES)[number]

export interface RuleDefinition {
  /** Unique in its set: letters, digits and underscores, starting with a letter (e.g. VELOCITY_HIGH). */
  name: string
  /** The condition, in the rule language (see docs/rules.md). */
  expression: string
  description: string
  mode: RuleMode
  /** An alert this rule raises is at least this severe (null: the model's severity). */
  severityFloor: Severity | null
  /** Added to the model's score when the rule fires, capped at 1 (null or 0: none). */
  scoreBoost: number | null
}

/** A rule set as published: version 0 is the built-in default set (default-rules.ts). */
export interface RuleSetDefinition {
  version: number
  rules: RuleDefinition[]
}

/** Where a problem is in a rule's text: 1-based line and column, 0-based offset. */
export interface RuleError {
  line: number
  column: number
  offset: number
  /** Characters the problem spans (at least 1). */
  length: number
  /** What is wrong and what was expected, e.g. `Expected a number, a field or "(" after "and"`. */
  message: string
}

export const LIST_KINDS = ['ALLOW', 'DENY'] as const
export type ListKind = (typeof LIST_KINDS)[number]

/** The lists a rule may name with `in list("name")`, as the checker needs them. */
export interface ListInfo {
  name: string
  kind: ListKind
  /** The text field whose value an ALLOW list matches to suppress alerts (e.g. account_id). */
  field: string
}

/** List values at evaluation time. */
export interface RuleLists {
  /** Values of each list by name (a rule's `in list("name")`). */
  values: ReadonlyMap<string, ReadonlySet<string>>
  /** ALLOW lists: a transaction whose `field` value is listed has its alert suppressed. */
  allow: ReadonlyArray<{ name: string; field: string; reasons: ReadonlyMap<string, string> }>
}

export const NO_LISTS: RuleLists = { values: new Map(), allow: [] }

/** What a rule set answers for one transaction. */
export interface RuleOutcome {
  /** ACTIVE rules that fired, in rule-set order: they raise an alert. */
  fired: string[]
  /** SHADOW rules that fired: recorded, no alert. */
  shadow: string[]
  /** The highest severityFloor among the fired ACTIVE rules, or null. */
  severityFloor: Severity | null
  /** Sum of the fired ACTIVE rules' score boosts (0 when none). */
  scoreBoost: number
}

/** The allow list entry that suppresses a transaction's alert. */
export interface Suppression {
  list: string
  field: string
  value: string
  reason: string
}
