import { severityRank, type Severity } from '@anomalyze/shared'
import type { Decision } from './decision.ts'

/** One model's verdict on a transaction. */
export interface Verdict {
  score: number
  severity: Severity
}

/** A transaction of the preview window, scored by the active model (before) and the candidate (after). */
export interface PreviewRow {
  txId: string
  merchantId: string
  amount: number
  currency: string
  /** Epoch milliseconds. */
  timestamp: number
  /** The analysts' latest decision on its anomaly, if any. */
  decision: Decision
  before: Verdict
  after: Verdict
}

export type AlertSeverity = Exclude<Severity, 'LOW'>

export interface QueueCounts {
  /** Transactions at or above the model's alert threshold (severity MEDIUM or more). */
  alerts: number
  bySeverity: Record<AlertSeverity, number>
}

export type MoveKind = 'dropped' | 'new' | 'raised' | 'lowered'

export interface MovedItem extends PreviewRow {
  change: MoveKind
}

export interface QueueComparison {
  before: QueueCounts
  after: QueueCounts
  /** Alerted by the active model, below the candidate's threshold. */
  droppedOut: number
  /** Below the active model's threshold, alerted by the candidate. */
  newAlerts: number
  /** Alerted by both, at another severity. */
  severityChanged: number
  falsePositives: {
    /** Transactions in the window analysts marked false positive. */
    labelled: number
    alertedBefore: number
    /** Of those alerted before, below the candidate's threshold. */
    droppedBelowThreshold: number
  }
  confirmedFrauds: {
    labelled: number
    caughtBefore: number
    /** Of those caught before, still alerted by the candidate. */
    stillCaught: number
    /** Caught by the candidate but not by the active model. */
    newlyCaught: number
    caughtAfter: number
  }
  /** Every transaction whose severity differs between the two models. */
  movedTotal: number
  /** The `limit` largest moves: biggest severity jump first, then biggest score change. */
  moved: MovedItem[]
}

const isAlert = (severity: Severity): boolean => severity !== 'LOW'

function emptyCounts(): QueueCounts {
  return { alerts: 0, bySeverity: { MEDIUM: 0, HIGH: 0, CRITICAL: 0 } }
}

function count(counts: QueueCounts, severity: Severity): void {
  if (severity === 'LOW') return
  counts.alerts += 1
  counts.bySeverity[severity] += 1
}

function moveKind(row: PreviewRow): MoveKind {
  const was = isAlert(row.before.severity)
  const is = isAlert(row.after.severity)
  if (was && !is) return 'dropped'
  if (!was && is) return 'new'
  return severityRank(row.after.severity) > severityRank(row.before.severity) ? 'raised' : 'lowered'
}

/**
 * The alert queue under the active model against the queue under a candidate, on
 * the same transactions. Each model alerts at its own threshold (its severities),
 * which is what analysts would see in their queue after an activation. Pure: the
 * caller loads, computes features and scores.
 */
export function compareAlertQueues(rows: readonly PreviewRow[], limit: number): QueueComparison {
  const before = emptyCounts()
  const after = emptyCounts()
  let droppedOut = 0
  let newAlerts = 0
  let severityChanged = 0
  const falsePositives = { labelled: 0, alertedBefore: 0, droppedBelowThreshold: 0 }
  const confirmedFrauds = { labelled: 0, caughtBefore: 0, stillCaught: 0, newlyCaught: 0, caughtAfter: 0 }
  const moved: PreviewRow[] = []

  for (const row of rows) {
    count(before, row.before.severity)
    count(after, row.after.severity)
    const was = isAlert(row.before.severity)
    const is = isAlert(row.after.severity)
    if (was && !is) droppedOut += 1
    if (!was && is) newAlerts += 1
    if (was && is && row.before.severity !== row.after.severity) severityChanged += 1
    if (row.before.severity !== row.after.severity) moved.push(row)

    if (row.decision === 'FALSE_POSITIVE') {
      falsePositives.labelled += 1
      if (was) {
        falsePositives.alertedBefore += 1
        if (!is) falsePositives.droppedBelowThreshold += 1
      }
    } else if (row.decision === 'CONFIRMED_FRAUD') {
      confirmedFrauds.labelled += 1
      if (was) confirmedFrauds.caughtBefore += 1
      if (was && is) confirmedFrauds.stillCaught += 1
      if (!was && is) confirmedFrauds.newlyCaught += 1
      if (is) confirmedFrauds.caughtAfter += 1
    }
  }

  const jump = (r: PreviewRow) => Math.abs(severityRank(r.after.severity) - severityRank(r.before.severity))
  const delta = (r: PreviewRow) => Math.abs(r.after.score - r.before.score)
  const top = moved
    .sort((a, b) => jump(b) - jump(a) || delta(b) - delta(a) || a.timestamp - b.timestamp || a.txId.localeCompare(b.txId))
    .slice(0, Math.max(0, limit))
    .map((row) => ({ ...row, change: moveKind(row) }))

  return { before, after, droppedOut, newAlerts, severityChanged, falsePositives, confirmedFrauds, movedTotal: moved.length, moved: top }
}
