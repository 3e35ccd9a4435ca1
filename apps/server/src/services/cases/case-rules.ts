import { isCaseOpen, labelForClosing, type CaseStatus, type TCaseAction, type TCasePerson } from '@anomalyze/shared'

/**
 * Case actions' rules, pure: given the case as it stands (locked) and who acts, what
 * becomes of an action. I/O (locking, writing, deciding alerts) is push-case-actions.ts.
 */

export interface CaseState {
  id: string
  status: CaseStatus
  assignee: TCasePerson | null
  closedBy: TCasePerson | null
  mergedIntoId: string | null
}

export interface CaseActorInfo {
  /** The member acting; null for an API key. */
  userId: string | null
  name: string
  isAdmin: boolean
}

/** Who an assign action names, as the organisation knows them. */
export type AssigneeStanding =
  { kind: 'member'; person: TCasePerson; role: 'ADMIN' | 'ANALYST' | 'VIEWER' } | { kind: 'removed'; person: TCasePerson } | { kind: 'unknown'; id: string }

export type CaseChange =
  | { kind: 'assign'; assignee: TCasePerson; previous: TCasePerson | null; how: 'claim' | 'assign' }
  | { kind: 'unassign'; previous: TCasePerson }
  | { kind: 'status'; from: CaseStatus; to: CaseStatus; reopen: boolean }
  | { kind: 'comment'; text: string }
  | { kind: 'close'; status: 'CLOSED_FRAUD' | 'CLOSED_LEGITIMATE'; note: string | null }

export type Verdict =
  | { outcome: 'applied'; change: CaseChange | null }
  | { outcome: 'rejected'; reason: string }
  | {
      outcome: 'conflict'
      reason: string
      heldBy: TCasePerson | null
      refusal: { kind: 'claim_refused' | 'close_refused'; data: Record<string, unknown> } | null
    }

const holds = (state: CaseState, actor: CaseActorInfo): boolean => state.assignee !== null && actor.userId !== null && state.assignee.id === actor.userId

/** Why `standing` may not be given a case, in words naming them; null when they may. */
export function assigneeRefusal(standing: AssigneeStanding): string | null {
  if (standing.kind === 'unknown') return `${standing.id} is not a member of this organisation`
  if (standing.kind === 'removed') return `${standing.person.name} was removed from this organisation: only members can work cases`
  if (standing.role === 'VIEWER') return `${standing.person.name} is a viewer: viewers cannot work cases`
  return null
}

/**
 * What an action does to the case. `assignee` is the standing of the person an
 * `assign` names (looked up by the caller; unused for other kinds).
 */
export function judgeAction(state: CaseState, actor: CaseActorInfo, action: TCaseAction, assignee?: AssigneeStanding): Verdict {
  if (state.mergedIntoId !== null && action.kind !== 'comment') {
    return { outcome: 'rejected', reason: `This case was merged into case ${state.mergedIntoId}: work that case instead` }
  }
  const open = isCaseOpen(state.status)
  switch (action.kind) {
    case 'comment':
      return { outcome: 'applied', change: { kind: 'comment', text: action.text } }
    case 'claim': {
      if (actor.userId === null) return { outcome: 'rejected', reason: 'An API key cannot hold a case: claim it as a member' }
      if (!open) return { outcome: 'rejected', reason: 'This case is closed: reopen it before claiming it' }
      if (holds(state, actor)) return { outcome: 'applied', change: null }
      if (state.assignee !== null) {
        return {
          outcome: 'conflict',
          reason: `${state.assignee.name} holds this case`,
          heldBy: state.assignee,
          refusal: { kind: 'claim_refused', data: { heldBy: state.assignee } },
        }
      }
      return { outcome: 'applied', change: { kind: 'assign', assignee: { id: actor.userId, name: actor.name }, previous: null, how: 'claim' } }
    }
    case 'assign': {
      const refusal = assignee === undefined ? `${action.assigneeId} is not a member of this organisation` : assigneeRefusal(assignee)
      if (refusal !== null || assignee?.kind !== 'member')
        return { outcome: 'rejected', reason: refusal ?? `${action.assigneeId} is not a member of this organisation` }
      if (!open) return { outcome: 'rejected', reason: 'This case is closed: reopen it before assigning it' }
      if (state.assignee?.id === assignee.person.id) return { outcome: 'applied', change: null }
      if (!actor.isAdmin && state.assignee !== null && !holds(state, actor)) {
        // An analyst hands over only an unassigned case or their own; someone else holding it is a race they lost.
        return {
          outcome: 'conflict',
          reason: `${state.assignee.name} holds this case: only they or an admin can hand it over`,
          heldBy: state.assignee,
          refusal: null,
        }
      }
      return { outcome: 'applied', change: { kind: 'assign', assignee: assignee.person, previous: state.assignee, how: 'assign' } }
    }
    case 'unassign': {
      if (state.assignee === null) return { outcome: 'applied', change: null }
      if (!actor.isAdmin && !holds(state, actor)) {
        return { outcome: 'rejected', reason: `${state.assignee.name} holds this case: only they or an admin can unassign it` }
      }
      return { outcome: 'applied', change: { kind: 'unassign', previous: state.assignee } }
    }
    case 'status': {
      if (open)
        return { outcome: 'applied', change: state.status === action.status ? null : { kind: 'status', from: state.status, to: action.status, reopen: false } }
      if (!actor.isAdmin) return { outcome: 'rejected', reason: 'This case is closed: only an admin can reopen it' }
      return { outcome: 'applied', change: { kind: 'status', from: state.status, to: action.status, reopen: true } }
    }
    case 'close': {
      const note = action.note === undefined || action.note === '' ? null : action.note
      if (!open) {
        const by = state.closedBy
        return {
          outcome: 'conflict',
          reason: `${by?.name ?? 'Someone'} closed this case first`,
          heldBy: by,
          refusal: { kind: 'close_refused', data: { closedBy: by, status: action.status, note, label: labelForClosing(action.status) } },
        }
      }
      return { outcome: 'applied', change: { kind: 'close', status: action.status, note } }
    }
  }
}
