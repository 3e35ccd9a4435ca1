import { createHash } from 'node:crypto'
import type { RuleDefinition } from '../../rules/rule-types.ts'

/**
 * sha-256 (hex) of a rule set's definitions as canonical JSON: each rule as
 * [name, expression, description, mode, severityFloor, scoreBoost], in set order.
 * A backtest records the hash of the rules it tested; publish compares it with the
 * drafts' hash to know the drafts were tested as they are. The server and the console
 * both use this one function (a backtest on either side names its rules the same way).
 * Missing floor/boost (older stored JSON) hash as null.
 */
export function rulesHash(rules: readonly RuleDefinition[]): string {
  const canonical = rules.map((r) => [r.name, r.expression, r.description, r.mode, r.severityFloor ?? null, r.scoreBoost ?? null])
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex')
}
