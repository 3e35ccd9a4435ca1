import type { KeyBinding } from '../hooks/useKeyTable.ts'

export const RULES_TABS = [
  { id: 'rules', label: 'Rules', key: '1' },
  { id: 'history', label: 'History', key: '2' },
  { id: 'lists', label: 'Lists', key: '3' },
  { id: 'suppressed', label: 'Suppressed', key: '4' },
] as const
export type RulesTab = (typeof RULES_TABS)[number]['id']

export type RulesAction =
  'tab1' | 'tab2' | 'tab3' | 'tab4' | 'next' | 'previous' | 'open' | 'new' | 'delete' | 'backtest' | 'publish' | 'rollback' | 'entity' | 'back' | 'help'

/** The Rules view's keys (Shift+R opens it); its ? overlay lists this table and the editor's. */
export const RULES_KEYS: ReadonlyArray<KeyBinding<RulesAction>> = [
  { keys: ['1'], action: 'tab1', label: 'Rules (drafts and the version in force)' },
  { keys: ['2'], action: 'tab2', label: 'History (versions, diffs, roll back)' },
  { keys: ['3'], action: 'tab3', label: 'Lists (allow and deny)' },
  { keys: ['4'], action: 'tab4', label: 'Alerts suppressed by allow lists' },
  { keys: ['j', 'ArrowDown'], action: 'next', label: 'Next rule / version / list / sample hit' },
  { keys: ['k', 'ArrowUp'], action: 'previous', label: 'Previous rule / version / list / sample hit' },
  { keys: ['Enter'], action: 'open', label: 'Edit the rule / show the version / open the list' },
  { keys: ['n'], action: 'new', label: 'New rule (Rules) / new list (Lists)' },
  { keys: ['Delete'], action: 'delete', label: 'Delete the draft / the list (asks to confirm)' },
  { keys: ['b'], action: 'backtest', label: 'Backtest the drafts (with the rule being edited)' },
  { keys: ['P'], action: 'publish', label: 'Publish the drafts (Shift+P, admins; asks for a comment)' },
  { keys: ['Z'], action: 'rollback', label: 'Roll back to the version shown (Shift+Z in History, admins; asks for a comment)' },
  { keys: ['v'], action: 'entity', label: "Open the sample hit's account in the entity view" },
  { keys: ['Escape'], action: 'back', label: 'Close the editor / panel / dialog' },
  { keys: ['?'], action: 'help', label: 'Show / hide shortcuts' },
]

/** Keys inside the rule editor (they work while typing). */
export const RULE_EDITOR_KEYS: ReadonlyArray<{ keys: string[]; label: string }> = [
  { keys: ['Ctrl/Cmd+S'], label: 'Save the draft' },
  { keys: ['Ctrl/Cmd+B'], label: 'Backtest the drafts with this rule as written' },
  { keys: ['Escape'], label: 'Leave the field (again: close the editor)' },
]
