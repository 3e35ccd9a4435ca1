import type { Suppression } from '@anomalyze/shared/engine'
import { jsonbLiteral, sqlLiteral } from '../../db/sql.ts'

export interface NewSuppressedAlert {
  transactionId: string
  suppression: Suppression
  score: number
  severity: 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL'
  ruleViolations: string[]
}

/**
 * CTE `stored_suppressed_alerts`: the alerts an ALLOW list suppressed, kept with the
 * list, the matched value and its reason for audit, in place of the anomaly (no case,
 * no notification). Part of ingestion's closing statement.
 */
export function insertSuppressedAlertsCte(orgId: string, ruleSetVersion: number, modelVersion: string, alerts: readonly NewSuppressedAlert[]): string {
  const rows = alerts.map((a) => ({
    transactionId: a.transactionId,
    listName: a.suppression.list,
    field: a.suppression.field,
    value: a.suppression.value,
    reason: a.suppression.reason,
    score: a.score,
    severity: a.severity,
    ruleViolations: a.ruleViolations,
  }))
  return `stored_suppressed_alerts AS (
      INSERT INTO "SuppressedAlert" ("id", "orgId", "transactionId", "listName", "field", "value", "reason", "score", "severity",
                                     "ruleViolations", "ruleSetVersion", "modelVersion")
      SELECT gen_random_uuid()::text, ${sqlLiteral(orgId)}, r."transactionId", r."listName", r.field, r.value, r.reason, r.score,
             r.severity::"Severity", r."ruleViolations", ${ruleSetVersion | 0}, ${sqlLiteral(modelVersion)}
      FROM jsonb_to_recordset(${jsonbLiteral(rows)})
        AS r("transactionId" text, "listName" text, field text, value text, reason text, score float8, severity text, "ruleViolations" text[])
      RETURNING 1
    )`
}
