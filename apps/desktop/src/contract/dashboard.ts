import type { Severity } from '@anomalyze/shared'

export interface DayBucket {
  /** UTC midnight, epoch ms. */
  day: number
  anomalies: number
  /** Sum of the flagged transactions' amounts over every currency (kept for callers that only compare totals). */
  amount: number
  /** The same sum per currency code ("XXX": a file without a currency column); amounts in different currencies are never added up for display. */
  amounts: Record<string, number>
  confirmedFraud: number
  falsePositives: number
}

/** Where alerts come from: the synced server queue (batchId null) or one offline-scored file. */
export interface DashboardSource {
  batchId: string | null
  /** "Synced queue" or the file's name. */
  name: string
  total: number
  open: number
}

export interface Dashboard {
  total: number
  open: number
  days: DayBucket[]
  /** Currency codes present in `days[].amounts`, most flagged amount first. */
  currencies: string[]
  severityMix: Array<{ severity: Severity; count: number }>
  /** Ten buckets of width 0.1 over the model score 0..1. */
  scoreHistogram: Array<{ from: number; to: number; count: number }>
  /** The rules that fired most often on these alerts, most first (at most ten). */
  topRules: Array<{ rule: string; count: number }>
  /** Every source in the cache with its totals, whichever source the rest describes: the synced queue first, then files newest first. */
  sources: DashboardSource[]
}
