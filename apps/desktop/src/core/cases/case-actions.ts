import { isCaseOpen, type TCaseAction, type TCaseEvent, type TCasePerson } from '@anomalyze/shared'
import type { CaseActArgs, CaseConflict, CaseTimelineEntry } from '../../contract/cases.ts'
import type { CaseRecord } from '../store/case-rows.ts'

/**
 * Pure rules for a case action taken in this console: how it shows on the cached row
 * before the server answers, how it reads in the timeline while it waits, and which
 * kind of conflict a refusal is. No I/O here.
 */

/** An action as the outbox holds it: what the analyst asked, who and when. */
export interface QueuedCaseAction {
  mutationId: string
  args: CaseActArgs
  at: number
  actor: TCasePerson
  /** The assignee's name when known here (assign); else their id is shown. */
  assigneeName?: string | null
}

/** The row as this console shows it once the action is applied locally (optimistic). */
export function applyCaseAction(record: CaseRecord, action: QueuedCaseAction): CaseRecord {
  const { args } = action
  switch (args.kind) {
    case 'claim':
      return { ...record, assignee_id: action.actor.id, assignee_name: action.actor.name }
    case 'assign':
      return { ...record, assignee_id: args.assigneeId, assignee_name: action.assigneeName ?? args.assigneeId }
    case 'unassign':
      return { ...record, assignee_id: null, assignee_name: null }
    case 'status':
      return { ...record, status: args.status, is_open: 1, closed_at: null, closed_by_json: null }
    case 'comment':
      return record
    case 'close':
      return {
        ...record,
        status: args.status,
        is_open: 0,
        open_alert_count: 0,
        closed_at: action.at,
        closed_by_json: JSON.stringify(action.actor),
      }
  }
}

/** Why an action cannot be taken on the case as cached (null: it may go to the outbox). */
export function refusalOf(record: CaseRecord, args: CaseActArgs): string | null {
  if (record.merged_into_id !== null) return `Case ${record.id} was merged into ${record.merged_into_id}: act on that case instead.`
  const open = isCaseOpen(record.status)
  if (args.kind === 'close' && !open) return `Case ${record.id} is already closed.`
  if ((args.kind === 'claim' || args.kind === 'assign' || args.kind === 'unassign') && !open) return `Case ${record.id} is closed: reopen it first.`
  if (args.kind === 'unassign' && record.assignee_id === null) return `Case ${record.id} has no assignee to remove.`
  return null
}

/** The wire action (cases.push) for a queued one. */
export function toWireAction(action: QueuedCaseAction): TCaseAction {
  const base = { mutationId: action.mutationId, caseId: action.args.caseId, at: action.at }
  const { args } = action
  switch (args.kind) {
    case 'claim':
    case 'unassign':
      return { ...base, kind: args.kind }
    case 'assign':
      return { ...base, kind: 'assign', assigneeId: args.assigneeId }
    case 'status':
      return { ...base, kind: 'status', status: args.status }
    case 'comment':
      return { ...base, kind: 'comment', text: args.text }
    case 'close':
      return { ...base, kind: 'close', status: args.status, ...(args.note === undefined ? {} : { note: args.note }) }
  }
}

/**
 * A waiting action as a timeline line, shaped like the event the server will record
 * for it (see ZCaseEvent's data by kind), marked pending.
 */
export function pendingTimelineEntry(
  action: QueuedCaseAction,
  before: { assignee: TCasePerson | null; status: string; openAlerts: number },
): CaseTimelineEntry {
  const { args } = action
  const line = (kind: TCaseEvent['kind'], data: Record<string, unknown>): CaseTimelineEntry => ({
    id: `pending:${action.mutationId}`,
    caseId: args.caseId,
    kind,
    actor: action.actor,
    actorName: action.actor.name,
    at: action.at,
    data,
    mutationId: action.mutationId,
    pending: true,
  })
  switch (args.kind) {
    case 'claim':
      return line('assigned', { assignee: action.actor, previous: before.assignee, how: 'claim' })
    case 'assign':
      return line('assigned', { assignee: { id: args.assigneeId, name: action.assigneeName ?? args.assigneeId }, previous: before.assignee, how: 'assign' })
    case 'unassign':
      return line('unassigned', { previous: before.assignee })
    case 'status':
      return line('status', { from: before.status, to: args.status })
    case 'comment':
      return line('comment', { text: args.text })
    case 'close':
      return line('closed', { status: args.status, note: args.note ?? null, decidedCount: before.openAlerts })
  }
}

/** The contract's conflict kinds: assignment changes read as 'assign', comments and status moves as 'status'. */
export function conflictKindOf(kind: CaseActArgs['kind']): CaseConflict['kind'] {
  if (kind === 'claim' || kind === 'close') return kind
  return kind === 'assign' || kind === 'unassign' ? 'assign' : 'status'
}
