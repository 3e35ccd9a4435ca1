import { createHash } from 'node:crypto'
import type { RuleDefinition } from '@anomalyze/shared'

/**
 * sha-256 (hex) of a rule set's definitions as canonical JSON: each rule as
 * [name, expression, description, mode, severityFloor, scoreBoost], in set order.
 * A backtest records the hash of the rules it tested; publish compares it with the
 * drafts' hash to know the drafts were tested as they are. The console has a copy
 * (apps/desktop/src/core/rules/rules-hash.ts) whose test pins the value; the server's
 * test pins the same value so a drift on either side shows. Missing floor/boost
 * (older stored JSON) hash as null, like the console's.
 */
export function rulesHash(rules: readonly RuleDefinition[]): string {
  const canonical = rules.map((r) => [r.name, r.expression, r.description, r.mode, r.severityFloor ?? null, r.scoreBoost ?? null])
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex')
}
