import type { Severity } from '@anomalyze/shared'

export interface DayBucket {
  /** UTC midnight, epoch ms. */
  day: number
  anomalies: number
  /** Sum of the flagged transactions' amounts. */
  amount: number
  confirmedFraud: number
  falsePositives: number
}

export interface Dashboard {
  total: number
  open: number
  days: DayBucket[]
  severityMix: Array<{ severity: Severity; count: number }>
  /** Ten buckets of width 0.1 over the model score 0..1. */
  scoreHistogram: Array<{ from: number; to: number; count: number }>
}
