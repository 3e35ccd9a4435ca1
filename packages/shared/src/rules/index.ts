// The rule language: analyst-written rules as data (docs/rules.md), parsed, checked and
// compiled here so the server and the desktop evaluate a rule the same way.
export * from './rule-types.ts'
export { RULE_FIELDS, RULE_FUNCTIONS, RULE_WINDOWS, type FieldInfo, type FieldType, type FunctionInfo, type RuleWindow } from './fields.ts'
export { MAX_EXPRESSION_LENGTH, MAX_NESTING } from './parse-rule.ts'
export { analyseRule, checkRule, checkRuleDefinition, checkRuleSet, MAX_DESCRIPTION_LENGTH, RULE_NAME_PATTERN } from './check-rule.ts'
export type { Evaluate } from './compile-expression.ts'
export { compileRule, compileRuleSet, RuleSetError, type CompiledRuleSet } from './rule-set.ts'
export { DEFAULT_RULE_SET, defaultCompiledRuleSet } from './default-rules.ts'
export { applyRuleOutcome, findSuppression, outcomeOfFired, raisesAlert } from './apply-outcome.ts'
