import type { SqlClient } from '../../db/sql.ts'

export interface NewAnomaly {
  id: string
  transactionId: string
  score: number
  severity: 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL'
  ruleViolations: string[]
  explanation: string
  explanationData: Record<string, unknown>
}

/**
 * Stores a batch's anomalies in one statement: the rows travel as one JSON array and
 * are unpacked by `jsonb_to_recordset` (text[] columns included, which `unnest` of a
 * two-dimensional array could not carry).
 */
export async function insertAnomalies(sql: SqlClient, userId: string, modelVersion: string, anomalies: readonly NewAnomaly[]): Promise<void> {
  if (anomalies.length === 0) return
  await sql.query(
    `INSERT INTO "Anomaly" ("id", "userId", "transactionId", "score", "severity", "ruleViolations", "explanation",
                            "explanationData", "modelVersion", "updatedAt")
     SELECT r.id, $1, r."transactionId", r.score, r.severity::"Severity", r."ruleViolations", r.explanation,
            r."explanationData", $2, now()
     FROM jsonb_to_recordset($3::jsonb)
       AS r(id text, "transactionId" text, score float8, severity text, "ruleViolations" text[], explanation text, "explanationData" jsonb)`,
    [userId, modelVersion, JSON.stringify(anomalies)],
  )
}
