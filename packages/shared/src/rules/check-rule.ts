import { SEVERITIES } from '../domain/severity.ts'
import { checkTypes, type TypeMap } from './check-types.ts'
import { parseRule } from './parse-rule.ts'
import type { RuleNode } from './rule-ast.ts'
import { RULE_MODES, type ListInfo, type RuleDefinition, type RuleError, type RuleSetDefinition } from './rule-types.ts'

export const RULE_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,63}$/
export const MAX_DESCRIPTION_LENGTH = 1000

export type AnalysedRule = { ok: true; ast: RuleNode; types: TypeMap } | { ok: false; errors: RuleError[] }

/** Parses and type-checks one expression: its tree and types, or every error found. */
export function analyseRule(expression: string, lists: readonly ListInfo[]): AnalysedRule {
  const parsed = parseRule(expression)
  if (!parsed.ok) return parsed
  const checked = checkTypes(expression, parsed.ast, lists)
  return checked.ok ? { ok: true, ast: parsed.ast, types: checked.types } : checked
}

/** Parses and type-checks one expression; [] when it is valid. Unknown list names are errors. */
export function checkRule(expression: string, lists: readonly ListInfo[]): RuleError[] {
  const analysed = analyseRule(expression, lists)
  return analysed.ok ? [] : analysed.errors
}

/** An error about a definition's other fields: no position in the expression. */
const fieldError = (message: string): RuleError => ({ line: 0, column: 0, offset: 0, length: 1, message })

/**
 * Checks a whole definition: name format, mode, severity floor, boost range and
 * description, then the expression. Data from a request or a database row is
 * untrusted, so every field is checked for its type too.
 */
export function checkRuleDefinition(rule: RuleDefinition, lists: readonly ListInfo[]): RuleError[] {
  const errors: RuleError[] = []
  const name: unknown = rule.name
  if (typeof name !== 'string' || !RULE_NAME_PATTERN.test(name)) {
    errors.push(fieldError(`name: "${String(name)}" must start with a letter and hold only letters, digits and _ (at most 64), e.g. VELOCITY_HIGH`))
  }
  if (!(RULE_MODES as readonly unknown[]).includes(rule.mode)) errors.push(fieldError(`mode: must be one of ${RULE_MODES.join(', ')}`))
  if (rule.severityFloor !== null && !(SEVERITIES as readonly unknown[]).includes(rule.severityFloor)) {
    errors.push(fieldError(`severityFloor: must be null or one of ${SEVERITIES.join(', ')}`))
  }
  const boost: unknown = rule.scoreBoost
  if (boost !== null && (typeof boost !== 'number' || !Number.isFinite(boost) || boost < 0 || boost > 1)) {
    errors.push(fieldError('scoreBoost: must be null or a number from 0 to 1'))
  }
  if (typeof rule.description !== 'string' || rule.description.length > MAX_DESCRIPTION_LENGTH) {
    errors.push(fieldError(`description: must be text of at most ${MAX_DESCRIPTION_LENGTH} characters`))
  }
  if (typeof rule.expression !== 'string') return [...errors, fieldError('expression: must be text')]
  return [...errors, ...checkRule(rule.expression, lists)]
}

/** Every definition that does not check, with its errors; a name used twice is an error on the second. */
export function checkRuleSet(set: RuleSetDefinition, lists: readonly ListInfo[]): { rule: string; errors: RuleError[] }[] {
  const problems: { rule: string; errors: RuleError[] }[] = []
  const seen = new Set<string>()
  for (const rule of set.rules) {
    const errors = checkRuleDefinition(rule, lists)
    if (seen.has(rule.name)) errors.unshift(fieldError(`name: "${rule.name}" is used by another rule in this set`))
    seen.add(rule.name)
    if (errors.length > 0) problems.push({ rule: rule.name, errors })
  }
  return problems
}
