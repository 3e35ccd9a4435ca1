import type { LabelKind } from '@anomalyze/shared'

/**
 * Decisions as the page and the core exchange them. Types only; kept apart from
 * handlers.ts so that core-methods.ts (the method table) and handlers.ts (which
 * re-exports the table's names) do not import each other.
 */
export interface DecideArgs {
  anomalyIds: string[]
  label: LabelKind
  note?: string
}

export interface DecideResult {
  /** Groups the decisions of one action so that undo takes them back together. */
  actionId: string
  decided: number
}

export interface UndoResult {
  /** Anomalies whose status went back; 0 when there was nothing to undo. */
  restored: number
  anomalyIds: string[]
}

/**
 * Reopening an alert someone else decided first: a decision based on the standing one
 * (`basedOn`, its mutationId), which the server applies; the note says why and is
 * required, since it overrides a colleague's call.
 */
export interface ReopenArgs {
  anomalyId: string
  label: LabelKind
  note: string
  basedOn: string
}

/** A decision as the server reports it in force: who, what, when, and its id. */
export interface StandingDecision {
  mutationId: string
  label: LabelKind
  note: string | null
  decidedBy: string
  decidedAt: number
}

/**
 * This analyst's decision lost to another person's that stood first (push outcome
 * `conflict`): theirs is in force, this one is kept in the server's history as
 * superseded. Shown until the analyst decides the alert again or the decision in
 * force changes.
 */
export interface DecisionConflict {
  mine: { mutationId: string; label: LabelKind; note: string | null; decidedAt: number }
  standing: StandingDecision
}

/** One row of an alert's decision history (the server's anomalies.history), newest first. */
export interface DecisionHistoryEntry {
  mutationId: string
  label: LabelKind
  note: string | null
  decidedBy: string
  decidedById: string | null
  decidedAt: number
  /** When the server received it (a decision made offline arrives later than it was made). */
  receivedAt: number
  inForce: boolean
  supersededAt: number | null
}
