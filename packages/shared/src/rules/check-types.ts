import { FIELD_BY_NAME, RULE_FIELDS, RULE_WINDOWS, type FieldType } from './fields.ts'
import type { RuleNode, Span } from './rule-ast.ts'
import { ruleErrorAt } from './rule-error.ts'
import { FUNCTION_SPECS, functionSpec } from './rule-functions.ts'
import type { ListInfo, RuleError } from './rule-types.ts'
import { nearestName } from './suggest-name.ts'

/** The type of every node of a checked tree (what the compiler picks closures by). */
export type TypeMap = ReadonlyMap<RuleNode, FieldType>

export type CheckResult = { ok: true; types: TypeMap } | { ok: false; errors: RuleError[] }

const TYPE_WORDS: Record<FieldType, string> = { number: 'a number', text: 'text', bool: 'a condition (true or false)' }

/**
 * Types a parsed rule: every field, list and function must exist, operators get the
 * types they work on, and the whole rule is a condition. Every problem is reported
 * (not just the first) with the span of the text at fault.
 */
export function checkTypes(text: string, ast: RuleNode, lists: readonly ListInfo[]): CheckResult {
  const errors: RuleError[] = []
  const types = new Map<RuleNode, FieldType>()
  const listNames = new Set(lists.map((l) => l.name))
  const report = (span: Span, message: string): null => {
    errors.push(ruleErrorAt(text, span.offset, span.length, message))
    return null
  }
  const source = (node: RuleNode): string => text.slice(node.span.offset, node.span.offset + node.span.length)
  /** Reports when `node` is not `wanted`; null types (already reported) pass silently. */
  const expect = (node: RuleNode, type: FieldType | null, wanted: FieldType, what: string): boolean => {
    if (type === null || type === wanted) return type !== null
    report(node.span, `${what} needs ${TYPE_WORDS[wanted]}, but "${source(node)}" is ${TYPE_WORDS[type]}`)
    return false
  }

  const visit = (node: RuleNode): FieldType | null => {
    const type = typeOf(node)
    if (type !== null) types.set(node, type)
    return type
  }

  const typeOf = (node: RuleNode): FieldType | null => {
    switch (node.kind) {
      case 'number':
        return 'number'
      case 'text':
        return 'text'
      case 'bool':
        return 'bool'
      case 'field': {
        const field = FIELD_BY_NAME.get(node.name)
        if (field) return field.type
        if (functionSpec(node.name)) return report(node.span, `"${node.name}" is a function: write ${node.name}(…)`)
        const near = nearestName(
          node.name,
          RULE_FIELDS.map((f) => f.name),
        )
        return report(node.span, `Unknown field "${node.name}"${near ? ` — did you mean "${near}"?` : ''}`)
      }
      case 'negate':
        return expect(node.operand, visit(node.operand), 'number', '"-"') ? 'number' : null
      case 'not':
        return expect(node.operand, visit(node.operand), 'bool', '"not"') ? 'bool' : null
      case 'logical': {
        const left = expect(node.left, visit(node.left), 'bool', `"${node.operator}"`)
        const right = expect(node.right, visit(node.right), 'bool', `"${node.operator}"`)
        return left && right ? 'bool' : null
      }
      case 'arithmetic': {
        const left = expect(node.left, visit(node.left), 'number', `"${node.operator}"`)
        const right = expect(node.right, visit(node.right), 'number', `"${node.operator}"`)
        return left && right ? 'number' : null
      }
      case 'compare': {
        const left = visit(node.left)
        const right = visit(node.right)
        if (left === null || right === null) return null
        if (left !== right)
          return report(
            node.span,
            `Cannot compare ${TYPE_WORDS[left]} with ${TYPE_WORDS[right]}: "${source(node.left)}" is ${TYPE_WORDS[left]}, "${source(node.right)}" is ${TYPE_WORDS[right]}`,
          )
        if (left === 'bool' && node.operator !== '==' && node.operator !== '!=')
          return report(node.span, `"${node.operator}" compares numbers or text, not conditions; use == or !=`)
        return 'bool'
      }
      case 'inList': {
        const operand = visit(node.operand)
        const known = listNames.has(node.list)
        if (!known) {
          const near = nearestName(node.list, listNames)
          const hint = near ? ` — did you mean "${near}"?` : listNames.size === 0 ? ' (no lists exist yet)' : ` (lists: ${[...listNames].sort().join(', ')})`
          report(node.listSpan, `Unknown list "${node.list}"${hint}`)
        }
        return expect(node.operand, operand, 'text', 'A list') && known ? 'bool' : null
      }
      case 'inSet': {
        const operand = visit(node.operand)
        if (operand === null) return null
        let ok = true
        for (const item of node.items) {
          const itemType = visit(item)
          if (itemType !== operand) {
            ok = false
            report(
              item.span,
              `${source(item)} is ${TYPE_WORDS[itemType as FieldType]}, but "${source(node.operand)}" is ${TYPE_WORDS[operand]}: every value in the set must be ${TYPE_WORDS[operand]}`,
            )
          }
        }
        return ok ? 'bool' : null
      }
      case 'call':
        return typeOfCall(node)
    }
  }

  const typeOfCall = (node: Extract<RuleNode, { kind: 'call' }>): FieldType | null => {
    const spec = functionSpec(node.name)
    if (!spec) {
      const near = nearestName(node.name, Object.keys(FUNCTION_SPECS))
      const fieldHint = FIELD_BY_NAME.has(node.name) ? ` ("${node.name}" is a field: write it without parentheses)` : ''
      return report(
        node.nameSpan,
        `Unknown function "${node.name}"${near ? ` — did you mean "${near}"?` : fieldHint || ` (functions: ${Object.keys(FUNCTION_SPECS).join(', ')})`}`,
      )
    }
    const argTypes = node.args.map((arg) => visit(arg))
    if (node.args.length !== spec.params.length) {
      const wanted = spec.params.length === 0 ? 'no arguments' : spec.params.length === 1 ? '1 argument' : `${spec.params.length} arguments`
      return report(node.span, `${node.name} takes ${wanted}, not ${node.args.length}`)
    }
    let ok = true
    spec.params.forEach((param, i) => {
      if (!expect(node.args[i] as RuleNode, argTypes[i] ?? null, param, `Argument ${i + 1} of ${node.name}`)) ok = false
    })
    if (ok && spec.kind === 'window') {
      const arg = node.args[0] as RuleNode
      if (arg.kind !== 'text' || !(RULE_WINDOWS as readonly string[]).includes(arg.value)) {
        const given = arg.kind === 'text' ? `no "${arg.value}" window` : 'the window must be written as text, e.g. "7d"'
        return report(arg.span, `${node.name}: ${given}; the engine keeps ${RULE_WINDOWS.map((w) => `"${w}"`).join(', ')}`)
      }
    }
    return ok ? spec.returns : null
  }

  const whole = visit(ast)
  if (whole !== null && whole !== 'bool') {
    const example = whole === 'number' ? `${source(ast)} > 0` : `${source(ast)} == "…"`
    report(ast.span, `The rule must be a condition (true or false), but it is ${TYPE_WORDS[whole]}: compare it, e.g. ${example}`)
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, types }
}
