import type Database from 'better-sqlite3'
import { SEVERITIES, type Severity } from '@anomalyze/shared'
import type { Dashboard, DashboardSource, DayBucket } from '../../contract/dashboard.ts'

const DAY_MS = 86_400_000
const TOP_RULES = 10

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
    .all(params) as Array<Omit<DayBucket, 'amounts'>>
  const dayAmounts = db
    .prepare(`SELECT (ts / ${DAY_MS}) * ${DAY_MS} AS day, currency, SUM(amount) AS amount FROM anomalies WHERE ${source} GROUP BY day, currency`)
    .all(params) as Array<{ day: number; currency: string; amount: number }>
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
  // rules_json is the alert's JSON array of rule names; json_each counts each rule once per alert.
  const topRules = db
    .prepare(
      `SELECT r.value AS rule, COUNT(*) AS count FROM anomalies, json_each(anomalies.rules_json) AS r
       WHERE ${source} GROUP BY r.value ORDER BY count DESC, rule LIMIT ${TOP_RULES}`,
    )
    .all(params) as Array<{ rule: string; count: number }>

  const bySeverity = new Map(severityCounts.map((s) => [s.severity, s.count]))
  const byBin = new Map(bins.map((b) => [b.bin, b.count]))
  return {
    total: totals.total,
    open: totals.open,
    days: withAmountsPerCurrency(days, dayAmounts),
    currencies: currenciesByAmount(dayAmounts),
    severityMix: SEVERITIES.map((severity) => ({ severity, count: bySeverity.get(severity) ?? 0 })),
    scoreHistogram: Array.from({ length: 10 }, (_, i) => ({
      from: i / 10,
      to: (i + 1) / 10,
      count: byBin.get(i) ?? 0,
    })),
    topRules,
    sources: readSources(db),
  }
}

function withAmountsPerCurrency(days: Array<Omit<DayBucket, 'amounts'>>, dayAmounts: Array<{ day: number; currency: string; amount: number }>): DayBucket[] {
  const byDay = new Map<number, Record<string, number>>()
  for (const { day, currency, amount } of dayAmounts) {
    const amounts = byDay.get(day) ?? {}
    amounts[currency] = amount
    byDay.set(day, amounts)
  }
  return days.map((d) => ({ ...d, amounts: byDay.get(d.day) ?? {} }))
}

function currenciesByAmount(dayAmounts: Array<{ currency: string; amount: number }>): string[] {
  const totals = new Map<string, number>()
  for (const { currency, amount } of dayAmounts) totals.set(currency, (totals.get(currency) ?? 0) + amount)
  return [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([currency]) => currency)
}

/** The synced queue and every scored file (finished ones, as the Score view lists them), each with its alert totals, so an analyst who only scored files sees them counted. */
function readSources(db: Database.Database): DashboardSource[] {
  const synced = db.prepare(`SELECT COUNT(*) AS total, COALESCE(SUM(status = 'OPEN'), 0) AS open FROM anomalies WHERE batch_id IS NULL`).get() as {
    total: number
    open: number
  }
  const files = db
    .prepare(
      `SELECT b.id AS batchId, b.name AS name, COUNT(a.n) AS total, COALESCE(SUM(a.status = 'OPEN'), 0) AS open
       FROM local_batches b LEFT JOIN anomalies a ON a.batch_id = b.id
       WHERE b.state = 'done' GROUP BY b.id ORDER BY b.created_at DESC, b.id`,
    )
    .all() as DashboardSource[]
  return [{ batchId: null, name: 'Synced queue', ...synced }, ...files]
}
