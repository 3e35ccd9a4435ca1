import { createHash } from 'node:crypto'
import type { RuleDefinition } from '@anomalyze/shared'

/**
 * sha-256 (hex) of a rule set's definitions as canonical JSON: each rule as
 * [name, expression, description, mode, severityFloor, scoreBoost], in set order.
 * The server computes the same (apps/server/src/services/rules/rules-hash.ts) and
 * compares it at publish with the drafts' hash; the console cannot import server
 * code, so this is a copy, and rules-hash.test.ts pins its value so a drift on
 * either side shows.
 */
export function rulesHash(rules: readonly RuleDefinition[]): string {
  const canonical = rules.map((r) => [r.name, r.expression, r.description, r.mode, r.severityFloor ?? null, r.scoreBoost ?? null])
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex')
}
