import { jsonbLiteral, sqlLiteral } from '../../db/sql.ts'

export interface NewAnomaly {
  id: string
  transactionId: string
  score: number
  severity: 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL'
  ruleViolations: string[]
  explanation: string
  explanationData: Record<string, unknown>
  /** The case it joins (services/cases/attach-to-cases.ts), stored in the same statement. */
  caseId: string | null
}

/**
 * CTE `stored_anomalies` that stores a batch's anomalies in one statement: the rows
 * travel as one JSON literal unpacked by `jsonb_to_recordset` (text[] columns
 * included, which `unnest` of a two-dimensional array could not carry). Each row
 * records the rule set version that judged it.
 */
export function insertAnomaliesCte(orgId: string, modelVersion: string, ruleSetVersion: number, anomalies: readonly NewAnomaly[]): string {
  return `stored_anomalies AS (
      INSERT INTO "Anomaly" ("id", "orgId", "transactionId", "score", "severity", "ruleViolations", "explanation",
                              "explanationData", "modelVersion", "ruleSetVersion", "caseId", "updatedAt")
      SELECT r.id, ${sqlLiteral(orgId)}, r."transactionId", r.score, r.severity::"Severity", r."ruleViolations", r.explanation,
             r."explanationData", ${sqlLiteral(modelVersion)}, ${ruleSetVersion | 0}, r."caseId", now()
      FROM jsonb_to_recordset(${jsonbLiteral(anomalies)})
        AS r(id text, "transactionId" text, score float8, severity text, "ruleViolations" text[], explanation text, "explanationData" jsonb, "caseId" text)
      RETURNING 1
    )`
}
