import { jsonbLiteral, sqlLiteral } from '../../db/sql.ts'

export interface NewRuleHit {
  transactionId: string
  ruleName: string
  mode: 'ACTIVE' | 'SHADOW'
}

/**
 * CTE `stored_rule_hits`: one RuleHit per rule that fired on a transaction, ACTIVE or
 * SHADOW, alert or not (the Rules view counts them; a SHADOW rule's hits are all it
 * leaves). Part of ingestion's closing statement, so hits cost no round trip.
 */
export function insertRuleHitsCte(orgId: string, ruleSetVersion: number, hits: readonly NewRuleHit[]): string {
  return `stored_rule_hits AS (
      INSERT INTO "RuleHit" ("id", "orgId", "transactionId", "ruleName", "mode", "ruleSetVersion")
      SELECT gen_random_uuid()::text, ${sqlLiteral(orgId)}, r."transactionId", r."ruleName", r.mode::"RuleMode", ${ruleSetVersion | 0}
      FROM jsonb_to_recordset(${jsonbLiteral(hits)}) AS r("transactionId" text, "ruleName" text, mode text)
      RETURNING 1
    )`
}
