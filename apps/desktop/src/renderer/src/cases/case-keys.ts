import type { KeyBinding } from '../hooks/useKeyTable.ts'

export type CaseListAction = 'next' | 'previous' | 'first' | 'last' | 'open' | 'back' | 'select' | 'merge' | 'search' | 'help' | `tab${1 | 2 | 3 | 4 | 5}`

/** The Cases view's keys; the ? overlay lists these tables. */
export const CASE_LIST_KEYS: ReadonlyArray<KeyBinding<CaseListAction>> = [
  { keys: ['1'], action: 'tab1', label: 'My cases' },
  { keys: ['2'], action: 'tab2', label: 'Unassigned' },
  { keys: ['3'], action: 'tab3', label: 'Escalated' },
  { keys: ['4'], action: 'tab4', label: 'Due soon & overdue' },
  { keys: ['5'], action: 'tab5', label: 'All cases' },
  { keys: ['j', 'ArrowDown'], action: 'next', label: 'Next case' },
  { keys: ['k', 'ArrowUp'], action: 'previous', label: 'Previous case' },
  { keys: ['g', 'Home'], action: 'first', label: 'First case' },
  { keys: ['G', 'End'], action: 'last', label: 'Last case' },
  { keys: ['Enter'], action: 'open', label: 'Open the case' },
  { keys: ['Escape'], action: 'back', label: 'Close the case / overlay' },
  { keys: ['x', ' '], action: 'select', label: 'Select the current case (to merge); in an open case, its current alert (to split)' },
  { keys: ['M'], action: 'merge', label: 'Merge the selected cases into the current one' },
  { keys: ['/'], action: 'search', label: 'Search by account or merchant' },
  { keys: ['?'], action: 'help', label: 'Show / hide shortcuts' },
]

export type CaseAction =
  | 'claim'
  | 'assign'
  | 'unassign'
  | 'review'
  | 'escalate'
  | 'reopen'
  | 'closeFraud'
  | 'closeLegit'
  | 'comment'
  | 'entity'
  | 'split'
  | 'alertNext'
  | 'alertPrevious'
  | 'pickAlert'

/** Keys inside an open case. */
export const CASE_DETAIL_KEYS: ReadonlyArray<KeyBinding<CaseAction>> = [
  { keys: ['c'], action: 'claim', label: 'Claim the case' },
  { keys: ['a'], action: 'assign', label: 'Assign to a teammate' },
  { keys: ['U'], action: 'unassign', label: 'Unassign (Shift+U)' },
  { keys: ['r'], action: 'review', label: 'Mark in review' },
  { keys: ['e'], action: 'escalate', label: 'Escalate' },
  { keys: ['o'], action: 'reopen', label: 'Reopen (admins) / back to open' },
  { keys: ['F'], action: 'closeFraud', label: 'Close as fraud (Shift+F, asks to confirm)' },
  { keys: ['L'], action: 'closeLegit', label: 'Close as legitimate (Shift+L, asks to confirm)' },
  { keys: ['m'], action: 'comment', label: 'Write a comment (Ctrl/Cmd+Enter posts)' },
  { keys: ['v'], action: 'entity', label: "Open the entity view (the case's account or merchant)" },
  { keys: ['S'], action: 'split', label: 'Split the selected alerts into a new case (Shift+S)' },
  { keys: ['J'], action: 'alertNext', label: 'Next alert of the case (Shift+J)' },
  { keys: ['K'], action: 'alertPrevious', label: 'Previous alert of the case (Shift+K)' },
  { keys: ['x', ' '], action: 'pickAlert', label: 'Select the current alert (to split)' },
]

export type EntityAction = 'back' | 'more' | 'help'

export const ENTITY_KEYS: ReadonlyArray<KeyBinding<EntityAction>> = [
  { keys: ['Escape'], action: 'back', label: 'Back from the entity view' },
  { keys: ['n'], action: 'more', label: 'Load more transactions' },
  { keys: ['?'], action: 'help', label: 'Show / hide shortcuts' },
]

/** Keys the alert detail (Queue) adds for cases. */
export const QUEUE_CASE_KEYS: ReadonlyArray<{ keys: string[]; label: string }> = [
  { keys: ['v'], label: "Open the alert's account in the entity view" },
  { keys: ['o'], label: "Open the alert's case" },
]
