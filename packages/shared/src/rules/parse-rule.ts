import type { Node as OhmNode } from 'ohm-js'
import type { ArithmeticOperator, ComparisonOperator, LiteralNode, RuleNode, Span } from './rule-ast.ts'
import { RULE_GRAMMAR } from './rule-grammar.ts'
import { ruleErrorAt } from './rule-error.ts'
import type { RuleError } from './rule-types.ts'
import { describeSyntaxError } from './syntax-error.ts'

/** Longer rules are refused: a rule is a condition, not a program, and parsing is not free. */
export const MAX_EXPRESSION_LENGTH = 4000
/** Deeper parentheses are refused before parsing, so no rule can exhaust the stack. */
export const MAX_NESTING = 40

export type ParseResult = { ok: true; ast: RuleNode } | { ok: false; errors: RuleError[] }

const spanOf = (node: OhmNode): Span => ({ offset: node.source.startIdx, length: node.source.endIdx - node.source.startIdx })

const semantics = RULE_GRAMMAR.createSemantics().addOperation<RuleNode>('ast', {
  Rule(expression, _end) {
    return expression['ast']() as RuleNode
  },
  Or_or(left, _or, right) {
    return { kind: 'logical', operator: 'or', left: left['ast'](), right: right['ast'](), span: spanOf(this) }
  },
  And_and(left, _and, right) {
    return { kind: 'logical', operator: 'and', left: left['ast'](), right: right['ast'](), span: spanOf(this) }
  },
  Not_not(_not, operand) {
    return { kind: 'not', operand: operand['ast'](), span: spanOf(this) }
  },
  Comparison_compare(left, operator, right) {
    return { kind: 'compare', operator: operator.sourceString as ComparisonOperator, left: left['ast'](), right: right['ast'](), span: spanOf(this) }
  },
  Comparison_notIn(operand, _not, _in, target) {
    return inNode(true, operand, target, spanOf(this))
  },
  Comparison_in(operand, _in, target) {
    return inNode(false, operand, target, spanOf(this))
  },
  Sum_binary(left, operator, right) {
    return { kind: 'arithmetic', operator: operator.sourceString as ArithmeticOperator, left: left['ast'](), right: right['ast'](), span: spanOf(this) }
  },
  Product_binary(left, operator, right) {
    return { kind: 'arithmetic', operator: operator.sourceString as ArithmeticOperator, left: left['ast'](), right: right['ast'](), span: spanOf(this) }
  },
  Negation_minus(_minus, operand) {
    return { kind: 'negate', operand: operand['ast'](), span: spanOf(this) }
  },
  Primary_paren(_open, expression, _close) {
    return expression['ast']() as RuleNode
  },
  Primary_call(name, _open, args, _close) {
    const argNodes = args.asIteration().children.map((a) => a['ast']() as RuleNode)
    return { kind: 'call', name: name.sourceString, nameSpan: spanOf(name), args: argNodes, span: spanOf(this) }
  },
  Primary_field(name) {
    return { kind: 'field', name: name.sourceString, span: spanOf(this) }
  },
  SetItem_negative(_minus, value) {
    return { kind: 'number', value: -Number(value.sourceString), span: spanOf(this) }
  },
  number(_whole, _dot, _fraction) {
    return { kind: 'number', value: Number(this.sourceString), span: spanOf(this) }
  },
  string(_open, _characters, _close) {
    return { kind: 'text', value: unquote(this.sourceString), span: spanOf(this) }
  },
  true(_word) {
    return { kind: 'bool', value: true, span: spanOf(this) }
  },
  false(_word) {
    return { kind: 'bool', value: false, span: spanOf(this) }
  },
})

function inNode(negated: boolean, operand: OhmNode, target: OhmNode, span: Span): RuleNode {
  const [head] = target.children
  if (target.ctorName === 'InTarget' && head?.ctorName === 'InTarget_list') {
    const stringNode = head.children[2] as OhmNode
    return { kind: 'inList', negated, operand: operand['ast'](), list: unquote(stringNode.sourceString), listSpan: spanOf(stringNode), span }
  }
  const items = (head?.children[1] as OhmNode).asIteration().children.map((item) => item['ast']() as LiteralNode)
  return { kind: 'inSet', negated, operand: operand['ast'](), items, span }
}

/** The value of a string literal: quotes removed, `\"` and `\\` unescaped. */
function unquote(literal: string): string {
  return literal.slice(1, -1).replace(/\\(["\\])/g, '$1')
}

/** Offset of the first parenthesis deeper than MAX_NESTING, or -1. */
function tooDeepAt(text: string): number {
  let depth = 0
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]
    if (c === '(') depth += 1
    else if (c === ')') depth -= 1
    if (depth > MAX_NESTING) return i
  }
  return -1
}

/** Parses one rule expression into its tree, or the syntax error with its position. */
export function parseRule(text: string): ParseResult {
  if (text.trim() === '') return { ok: false, errors: [ruleErrorAt(text, 0, 1, 'The rule is empty: write a condition, e.g. amount > 1000')] }
  if (text.length > MAX_EXPRESSION_LENGTH) {
    return { ok: false, errors: [ruleErrorAt(text, MAX_EXPRESSION_LENGTH, 1, `The rule is longer than ${MAX_EXPRESSION_LENGTH} characters`)] }
  }
  const deep = tooDeepAt(text)
  if (deep >= 0) return { ok: false, errors: [ruleErrorAt(text, deep, 1, `Parentheses nest deeper than ${MAX_NESTING} levels`)] }
  try {
    const match = RULE_GRAMMAR.match(text)
    if (match.failed()) return { ok: false, errors: [describeSyntaxError(text, match)] }
    return { ok: true, ast: semantics(match)['ast']() as RuleNode }
  } catch (error) {
    // A long chain of `not not not ...` can still run deep; say so rather than fail.
    if (error instanceof RangeError) return { ok: false, errors: [ruleErrorAt(text, 0, text.length, 'The rule nests too deeply to read')] }
    throw error
  }
}
