import { FEATURE_INDEX } from '../detection/features/compute-features.ts'
import type { TTransaction } from '../transactions/transaction-input.ts'
import type { FieldType, RuleWindow } from './fields.ts'
import { isFeatureName, TEXT_FIELDS, type TextFieldName } from './fields.ts'
import type { RuleNode } from './rule-ast.ts'
import { functionSpec } from './rule-functions.ts'
import type { RuleLists } from './rule-types.ts'
import type { TypeMap } from './check-types.ts'

/** A compiled piece of a rule: evaluated once per transaction, so it allocates nothing. */
export type Evaluate<T> = (tx: TTransaction, features: ArrayLike<number>, offset: number, lists: RuleLists) => T

type Value = number | string | boolean
const EMPTY: ReadonlySet<string> = new Set()
const zero: Evaluate<number> = () => 0

/**
 * Turns a checked tree into nested closures: a small interpreter whose dispatch is
 * done once, at compile time (no eval, no new Function). `types` comes from
 * checkTypes; a tree that did not check must not get here.
 */
export function compileExpression(ast: RuleNode, types: TypeMap): Evaluate<boolean> {
  const typeOf = (node: RuleNode): FieldType => {
    const type = types.get(node)
    if (type === undefined) throw new Error(`rule node ${node.kind} at ${node.span.offset} was not type-checked`)
    return type
  }

  const number = (node: RuleNode): Evaluate<number> => compile(node) as Evaluate<number>
  const text = (node: RuleNode): Evaluate<string> => compile(node) as Evaluate<string>
  const bool = (node: RuleNode): Evaluate<boolean> => compile(node) as Evaluate<boolean>

  const feature =
    (index: number): Evaluate<number> =>
    (_tx, f, o) =>
      f[o + index] ?? 0

  const compile = (node: RuleNode): Evaluate<Value> => {
    switch (node.kind) {
      case 'number':
      case 'text':
      case 'bool': {
        const value = node.value
        return () => value
      }
      case 'field': {
        if (isFeatureName(node.name)) return feature(FEATURE_INDEX[node.name])
        const read = TEXT_FIELDS[node.name as TextFieldName].read
        return (tx) => read(tx)
      }
      case 'negate': {
        const operand = number(node.operand)
        return (tx, f, o, l) => -operand(tx, f, o, l)
      }
      case 'not': {
        const operand = bool(node.operand)
        return (tx, f, o, l) => !operand(tx, f, o, l)
      }
      case 'logical': {
        const left = bool(node.left)
        const right = bool(node.right)
        return node.operator === 'and' ? (tx, f, o, l) => left(tx, f, o, l) && right(tx, f, o, l) : (tx, f, o, l) => left(tx, f, o, l) || right(tx, f, o, l)
      }
      case 'arithmetic':
        return arithmetic(node.operator, number(node.left), number(node.right))
      case 'compare':
        return typeOf(node.left) === 'number'
          ? compareNumbers(node.operator, number(node.left), number(node.right))
          : compareValues(node.operator, compile(node.left), compile(node.right))
      case 'inList': {
        const operand = text(node.operand)
        const name = node.list
        const negated = node.negated
        // A list missing at evaluation time (deleted since the rule was checked) is empty.
        return (tx, f, o, l) => (l.values.get(name) ?? EMPTY).has(operand(tx, f, o, l)) !== negated
      }
      case 'inSet': {
        const operand = compile(node.operand)
        const values = new Set<Value>(node.items.map((item) => item.value))
        const negated = node.negated
        return (tx, f, o, l) => values.has(operand(tx, f, o, l)) !== negated
      }
      case 'call':
        return call(node)
    }
  }

  const call = (node: Extract<RuleNode, { kind: 'call' }>): Evaluate<Value> => {
    const spec = functionSpec(node.name)
    if (!spec) throw new Error(`unknown function ${node.name} got past the checker`)
    switch (spec.kind) {
      case 'feature':
        return feature(FEATURE_INDEX[spec.feature])
      case 'window': {
        const window = (node.args[0] as Extract<RuleNode, { kind: 'text' }>).value as RuleWindow
        return feature(FEATURE_INDEX[spec.features[window]])
      }
      case 'math': {
        const [a, b = zero] = node.args.map(number) as [Evaluate<number>, Evaluate<number>?]
        const apply = spec.apply
        return (tx, f, o, l) => apply(a(tx, f, o, l), b(tx, f, o, l))
      }
      case 'text': {
        const [a, b] = node.args.map(text) as [Evaluate<string>, Evaluate<string>]
        if (node.name === 'lower') return (tx, f, o, l) => a(tx, f, o, l).toLowerCase()
        return (tx, f, o, l) => a(tx, f, o, l).startsWith(b(tx, f, o, l))
      }
    }
  }

  return bool(ast)
}

function arithmetic(operator: '+' | '-' | '*' | '/', left: Evaluate<number>, right: Evaluate<number>): Evaluate<number> {
  switch (operator) {
    case '+':
      return (tx, f, o, l) => left(tx, f, o, l) + right(tx, f, o, l)
    case '-':
      return (tx, f, o, l) => left(tx, f, o, l) - right(tx, f, o, l)
    case '*':
      return (tx, f, o, l) => left(tx, f, o, l) * right(tx, f, o, l)
    case '/':
      // x / 0 is 0: a rule never sees NaN or Infinity (a new account's 0 history must
      // not make every ratio rule fire or fail at random).
      return (tx, f, o, l) => {
        const divisor = right(tx, f, o, l)
        return divisor === 0 ? 0 : left(tx, f, o, l) / divisor
      }
  }
}

function compareNumbers(operator: string, left: Evaluate<number>, right: Evaluate<number>): Evaluate<boolean> {
  switch (operator) {
    case '<':
      return (tx, f, o, l) => left(tx, f, o, l) < right(tx, f, o, l)
    case '<=':
      return (tx, f, o, l) => left(tx, f, o, l) <= right(tx, f, o, l)
    case '>':
      return (tx, f, o, l) => left(tx, f, o, l) > right(tx, f, o, l)
    case '>=':
      return (tx, f, o, l) => left(tx, f, o, l) >= right(tx, f, o, l)
    default:
      return compareValues(operator, left, right)
  }
}

/** == and != for any one type; < and friends for text compare by code unit, as JS does. */
function compareValues(operator: string, left: Evaluate<Value>, right: Evaluate<Value>): Evaluate<boolean> {
  switch (operator) {
    case '==':
      return (tx, f, o, l) => left(tx, f, o, l) === right(tx, f, o, l)
    case '!=':
      return (tx, f, o, l) => left(tx, f, o, l) !== right(tx, f, o, l)
    case '<':
      return (tx, f, o, l) => left(tx, f, o, l) < right(tx, f, o, l)
    case '<=':
      return (tx, f, o, l) => left(tx, f, o, l) <= right(tx, f, o, l)
    case '>':
      return (tx, f, o, l) => left(tx, f, o, l) > right(tx, f, o, l)
    default:
      return (tx, f, o, l) => left(tx, f, o, l) >= right(tx, f, o, l)
  }
}
