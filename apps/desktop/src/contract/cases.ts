import type { CaseStatus, ClosedCaseStatus, OpenCaseStatus, SlaState, TCaseEvent, TCasePerson, TCaseRow } from '@anomalyze/shared'
import type { QueueRow } from './queue.ts'

/**
 * Shapes the renderer and the core exchange about cases. Types only (plus constants),
 * nothing platform-specific. The case rows themselves are the server's (TCaseRow in
 * @anomalyze/shared), cached in SQLite by the sync engine.
 */

/** The case queues: My cases, Unassigned, Escalated, Due soon / overdue, All (open ones, plus closed in All). */
export const CASE_QUEUES = ['mine', 'unassigned', 'escalated', 'due', 'all'] as const
export type CaseQueue = (typeof CASE_QUEUES)[number]

export interface CaseListArgs {
  queue: CaseQueue
  /** Matches the entity id (account or merchant), case-insensitive prefix. */
  text?: string
  /** Include closed cases (queue "all" only). */
  includeClosed?: boolean
  offset?: number
  /** At most 1,000; default 200. */
  limit?: number
}

/** A case line in a queue: the row as synced, with what this console has not pushed yet applied. */
export interface CaseListRow extends Omit<TCaseRow, 'slaMinutes'> {
  sla: SlaState
  /** True while an action of this analyst on it waits in the outbox. */
  pending: boolean
}

export interface CaseList {
  rows: CaseListRow[]
  total: number
  /** How many cases each queue holds now (the tabs' badges). */
  counts: Record<CaseQueue, number>
}

/** A timeline line: synced, or this console's action still in its outbox (`pending`). */
export interface CaseTimelineEntry extends TCaseEvent {
  pending: boolean
}

/** What the console tells an analyst whose action lost to a teammate's (conflict on push). */
export interface CaseConflict {
  kind: 'claim' | 'close' | 'assign' | 'status'
  /** Who holds (claim) or closed (close) the case. */
  heldBy: TCasePerson | null
  message: string
  at: number
}

export interface CaseDetail {
  case: CaseListRow
  /** The case's alerts, worst first (the queue's row shape). */
  alerts: QueueRow[]
  /** Oldest first. */
  timeline: CaseTimelineEntry[]
  /** This analyst's last action on it that lost (null otherwise). */
  conflict: CaseConflict | null
  /** Transactions of the entity cached from the server (for the entity view), and when they were fetched. */
  cachedTransactions: { count: number; fetchedAt: number | null }
}

/** An action taken in the console: stored locally at once and pushed through the outbox. */
export type CaseActArgs =
  | { caseId: string; kind: 'claim' }
  | { caseId: string; kind: 'assign'; assigneeId: string }
  | { caseId: string; kind: 'unassign' }
  | { caseId: string; kind: 'status'; status: OpenCaseStatus }
  | { caseId: string; kind: 'comment'; text: string }
  | { caseId: string; kind: 'close'; status: ClosedCaseStatus; note?: string }

export interface CaseActResult {
  case: CaseListRow
  /** False when the server already answered (online push right away); true while it waits in the outbox. */
  pending: boolean
  /** Set when the server refused it at once: the teammate who holds or closed the case. */
  conflict: CaseConflict | null
}

export type { CaseStatus }
