import type { ReportFormat, ReportType } from '../../generated/prisma/enums.ts'
import { ZAnomaliesParameters, ZCasesParameters, ZDecisionsParameters, ZSummaryParameters } from './report-parameters.ts'

/**
 * A report's parameters as one readable line, e.g. "Monthly summary · Nov 2026 · PDF" or
 * "Anomalies · 1 Nov 2026 – 15 Nov 2026 · severity HIGH, CRITICAL · CSV", so that two
 * reports asked for differently never look the same in a list. Read from the stored
 * JSON with the schemas the worker uses; stored parameters those refuse (an older
 * shape) are said to be unreadable rather than guessed at.
 */
export const REPORT_TITLE: Record<ReportType, string> = {
  ANOMALIES: 'Anomalies',
  DECISIONS: 'Analyst decisions',
  CASES: 'Cases with timelines',
  MONTHLY_SUMMARY: 'Monthly summary',
}

const DAY_MS = 86_400_000
const dayFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })
const monthFormat = new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' })
const timeFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC' })

export function describeReport(type: ReportType, format: ReportFormat, parameters: unknown): string {
  const middle = type === 'MONTHLY_SUMMARY' ? summaryParts(parameters) : exportParts(type, parameters)
  return [REPORT_TITLE[type], ...middle, format].join(' · ')
}

function summaryParts(parameters: unknown): string[] {
  const parsed = ZSummaryParameters.safeParse(parameters)
  if (!parsed.success) return ['parameters unreadable']
  const { month, from, to, scheduled } = parsed.data
  const period = month !== undefined ? monthFormat.format(Date.parse(`${month}-01T00:00:00Z`)) : describePeriod(from, to)
  return scheduled === true ? [period, 'scheduled'] : [period]
}

function exportParts(type: Exclude<ReportType, 'MONTHLY_SUMMARY'>, parameters: unknown): string[] {
  if (type === 'ANOMALIES') {
    const parsed = ZAnomaliesParameters.safeParse(parameters)
    if (!parsed.success) return ['parameters unreadable']
    const f = parsed.data.filters
    return [
      describePeriod(f.from, f.to),
      ...listed('severity', f.severities),
      ...listed('status', f.statuses),
      ...(f.rule === undefined ? [] : [`rule ${f.rule}`]),
      ...amountRange(f.amountMin, f.amountMax),
      ...(f.accountId === undefined ? [] : [`account ${f.accountId}`]),
    ]
  }
  if (type === 'DECISIONS') {
    const parsed = ZDecisionsParameters.safeParse(parameters)
    if (!parsed.success) return ['parameters unreadable']
    const f = parsed.data.filters
    return [
      describePeriod(f.from, f.to),
      ...listed('decision', f.labels),
      ...(f.decidedBy === undefined ? [] : [`decided by ${f.decidedBy}`]),
      ...(f.accountId === undefined ? [] : [`account ${f.accountId}`]),
    ]
  }
  const parsed = ZCasesParameters.safeParse(parameters)
  if (!parsed.success) return ['parameters unreadable']
  const f = parsed.data.filters
  return [describePeriod(f.from, f.to), ...listed('status', f.statuses)]
}

/**
 * A half-open UTC range as a reader says it: a whole calendar month as "Nov 2026",
 * whole days with the last day included ("1 Nov 2026 – 15 Nov 2026"), otherwise to the minute.
 */
export function describePeriod(from: string | undefined, to: string | undefined): string {
  if (from === undefined && to === undefined) return 'all time'
  const start = from === undefined ? null : new Date(from)
  const end = to === undefined ? null : new Date(to)
  if (start !== null && end !== null && isMonthStart(start) && end.getTime() === nextMonth(start).getTime()) return monthFormat.format(start)
  const first = start === null ? null : isMidnight(start) ? dayFormat.format(start) : timeFormat.format(start)
  // `to` is exclusive: a range ending at midnight ends, for a reader, on the day before.
  const last = end === null ? null : isMidnight(end) ? dayFormat.format(end.getTime() - DAY_MS) : timeFormat.format(end)
  if (first === null) return `until ${last}`
  if (last === null) return `from ${first}`
  return first === last ? first : `${first} – ${last}`
}

const listed = (name: string, values: readonly string[] | undefined): string[] =>
  values === undefined || values.length === 0 ? [] : [`${name} ${values.join(', ')}`]

function amountRange(min: number | undefined, max: number | undefined): string[] {
  if (min === undefined && max === undefined) return []
  if (min === undefined) return [`amount ≤ ${max}`]
  if (max === undefined) return [`amount ≥ ${min}`]
  return [`amount ${min}–${max}`]
}

const isMidnight = (d: Date): boolean => d.getTime() % DAY_MS === 0
const isMonthStart = (d: Date): boolean => isMidnight(d) && d.getUTCDate() === 1
const nextMonth = (d: Date): Date => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1))
