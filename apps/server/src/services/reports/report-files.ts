import type { ReportFormat, ReportType } from '../../generated/prisma/enums.ts'

/** Where a report's file lives in object storage. */
export function reportKey(orgId: string, reportId: string, format: ReportFormat): string {
  return `users/${safeSegment(orgId)}/reports/${reportId}.${format.toLowerCase()}`
}

/** The name a browser saves it under, e.g. "anomalies-2026-01-31.csv". */
export function reportFileName(type: ReportType, format: ReportFormat, createdAt: Date, parameters: unknown): string {
  const month = (parameters as { month?: unknown } | null)?.month
  const stamp = type === 'MONTHLY_SUMMARY' && typeof month === 'string' ? month : createdAt.toISOString().slice(0, 10)
  const base = { ANOMALIES: 'anomalies', DECISIONS: 'decisions', MONTHLY_SUMMARY: 'summary', CASES: 'cases' }[type]
  return `${base}-${stamp}.${format.toLowerCase()}`
}

/** Clerk ids are already key-safe; this keeps any other id from breaking the key rules. */
function safeSegment(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[._-]/, 'u')
}
