import type Database from 'better-sqlite3'
import { SEVERITIES, type Severity } from '@anomalyze/shared'
import type { Dashboard, DayBucket } from '../../contract/dashboard.ts'

const DAY_MS = 86_400_000

/** Aggregates for the overview: computed in SQLite, a few hundred rows at most come back. */
export function readDashboard(db: Database.Database, batchId: string | null): Dashboard {
  const source = batchId === null ? 'batch_id IS NULL' : 'batch_id = @batchId'
  const params = batchId === null ? {} : { batchId }
  const days = db
    .prepare(
      `SELECT (ts / ${DAY_MS}) * ${DAY_MS} AS day, COUNT(*) AS anomalies, COALESCE(SUM(amount), 0) AS amount,
         SUM(status = 'CONFIRMED_FRAUD') AS confirmedFraud, SUM(status = 'FALSE_POSITIVE') AS falsePositives
       FROM anomalies WHERE ${source} GROUP BY day ORDER BY day`,
    )
    .all(params) as DayBucket[]
  const severityCounts = db.prepare(`SELECT severity, COUNT(*) AS count FROM anomalies WHERE ${source} GROUP BY severity`).all(params) as Array<{
    severity: Severity
    count: number
  }>
  const bins = db
    .prepare(`SELECT MIN(CAST(score * 10 AS INTEGER), 9) AS bin, COUNT(*) AS count FROM anomalies WHERE ${source} GROUP BY bin`)
    .all(params) as Array<{ bin: number; count: number }>
  const totals = db.prepare(`SELECT COUNT(*) AS total, COALESCE(SUM(status = 'OPEN'), 0) AS open FROM anomalies WHERE ${source}`).get(params) as {
    total: number
    open: number
  }

  const bySeverity = new Map(severityCounts.map((s) => [s.severity, s.count]))
  const byBin = new Map(bins.map((b) => [b.bin, b.count]))
  return {
    total: totals.total,
    open: totals.open,
    days,
    severityMix: SEVERITIES.map((severity) => ({ severity, count: bySeverity.get(severity) ?? 0 })),
    scoreHistogram: Array.from({ length: 10 }, (_, i) => ({
      from: i / 10,
      to: (i + 1) / 10,
      count: byBin.get(i) ?? 0,
    })),
  }
}
