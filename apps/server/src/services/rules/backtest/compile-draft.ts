import { AppError, type ListInfo, type RuleDefinition, type RuleError } from '@anomalyze/shared'
import { compileRuleSet, RuleSetError, type CompiledRuleSet } from '@anomalyze/shared/engine'

/** The version number a tested set carries (it is no published version). */
const DRAFT_VERSION = -1

/** Where a rule's problem is, in words: "line 1, column 14" (name, mode and boost problems have no position). */
export function describeRuleError(rule: string, error: RuleError): string {
  const at = error.line > 0 ? ` (line ${error.line}, column ${error.column})` : ''
  return `Rule ${rule}${at}: ${error.message}`
}

/**
 * Compiles the set a backtest tests. A set that does not check is BAD_INPUT: the
 * message names the first failing rule and where its problem is, `details.errors`
 * carries every rule's errors ({ rule, errors: RuleError[] }) for the editor to mark.
 */
export function compileDraft(rules: readonly RuleDefinition[], lists: readonly ListInfo[]): CompiledRuleSet {
  try {
    return compileRuleSet({ version: DRAFT_VERSION, rules: [...rules] }, lists)
  } catch (error) {
    if (!(error instanceof RuleSetError)) throw error
    const first = error.errors[0]
    const firstError = first?.errors[0]
    const message = first && firstError ? describeRuleError(first.rule, firstError) : 'The rules do not check'
    const more = error.errors.reduce((n, e) => n + e.errors.length, 0) - 1
    throw new AppError('BAD_INPUT', more > 0 ? `${message} (and ${more} more problem${more === 1 ? '' : 's'})` : message, { errors: error.errors })
  }
}
