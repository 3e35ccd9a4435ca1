import { severityRank, type Severity } from '../domain/severity.ts'
import type { TTransaction } from '../transactions/transaction-input.ts'
import { analyseRule, checkRuleSet } from './check-rule.ts'
import { compileExpression, type Evaluate } from './compile-expression.ts'
import type { ListInfo, RuleDefinition, RuleError, RuleLists, RuleOutcome, RuleSetDefinition } from './rule-types.ts'

export interface CompiledRuleSet {
  version: number
  definitions: readonly RuleDefinition[]
  /** Evaluates every ACTIVE and SHADOW rule on the transaction and its feature row at features[offset .. offset+FEATURE_NAMES.length). */
  evaluate(tx: TTransaction, features: ArrayLike<number>, offset: number, lists: RuleLists): RuleOutcome
}

/** A rule set that does not compile, with each failing rule's errors. */
export class RuleSetError extends Error {
  constructor(readonly errors: { rule: string; errors: RuleError[] }[]) {
    super(`rule set does not check: ${errors.map((e) => `${e.rule}: ${e.errors.map((x) => x.message).join('; ')}`).join(' | ')}`)
    this.name = 'RuleSetError'
  }
}

/** Compiles one expression to a predicate (for backtests of a single draft rule); throws RuleSetError when it does not check. */
export function compileRule(expression: string, lists: readonly ListInfo[]): Evaluate<boolean> {
  const analysed = analyseRule(expression, lists)
  if (!analysed.ok) throw new RuleSetError([{ rule: '(draft)', errors: analysed.errors }])
  return compileExpression(analysed.ast, analysed.types)
}

interface CompiledRule {
  name: string
  shadow: boolean
  floor: Severity | null
  boost: number
  test: Evaluate<boolean>
}

/** Throws RuleSetError (with .errors: {rule, errors}[]) when a definition does not check. OFF rules are checked but never evaluated. */
export function compileRuleSet(set: RuleSetDefinition, lists: readonly ListInfo[]): CompiledRuleSet {
  const problems = checkRuleSet(set, lists)
  if (problems.length > 0) throw new RuleSetError(problems)
  const rules: CompiledRule[] = set.rules
    .filter((rule) => rule.mode !== 'OFF')
    .map((rule) => ({
      name: rule.name,
      shadow: rule.mode === 'SHADOW',
      floor: rule.severityFloor,
      boost: rule.scoreBoost ?? 0,
      test: compileRule(rule.expression, lists),
    }))
  const definitions = set.rules.map((rule) => ({ ...rule }))
  return {
    version: set.version,
    definitions,
    evaluate(tx, features, offset, lists) {
      const outcome: RuleOutcome = { fired: [], shadow: [], severityFloor: null, scoreBoost: 0 }
      for (const rule of rules) {
        if (!rule.test(tx, features, offset, lists)) continue
        if (rule.shadow) {
          outcome.shadow.push(rule.name)
          continue
        }
        outcome.fired.push(rule.name)
        outcome.scoreBoost += rule.boost
        if (rule.floor !== null && (outcome.severityFloor === null || severityRank(rule.floor) > severityRank(outcome.severityFloor)))
          outcome.severityFloor = rule.floor
      }
      return outcome
    },
  }
}
