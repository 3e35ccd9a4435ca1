import { createHash } from 'node:crypto'
import type { RuleDefinition } from '@anomalyze/shared'

// INTERIM: until helper B's ../rules-hash.ts lands (same definition as B's brief).
export function rulesHash(rules: readonly RuleDefinition[]): string {
  const canonical = rules.map((r) => [r.name, r.expression, r.description, r.mode, r.severityFloor, r.scoreBoost])
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex')
}
