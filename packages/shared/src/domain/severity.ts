export const SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const
export type Severity = (typeof SEVERITIES)[number]

/** Rank for comparisons: LOW = 0 ... CRITICAL = 3. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity)
}

export function isAtLeast(severity: Severity, threshold: Severity): boolean {
  return severityRank(severity) >= severityRank(threshold)
}
