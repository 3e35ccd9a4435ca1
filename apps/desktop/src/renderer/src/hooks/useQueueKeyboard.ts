import { useEffect, useRef } from 'react'

export type QueueAction =
  | 'next'
  | 'previous'
  | 'first'
  | 'last'
  | 'open'
  | 'close'
  | 'fraud'
  | 'falsePositive'
  | 'review'
  | 'toggleSelect'
  | 'undo'
  | 'search'
  | 'note'
  | 'help'
  | 'entity'
  | 'case'
  | 'selectAll'
  | 'copy'

/** One place that says which key does what; the ? overlay lists the same table. */
export const SHORTCUTS: ReadonlyArray<{ keys: string[]; action: QueueAction; label: string }> = [
  { keys: ['j', 'ArrowDown'], action: 'next', label: 'Next item' },
  { keys: ['k', 'ArrowUp'], action: 'previous', label: 'Previous item' },
  { keys: ['g', 'Home'], action: 'first', label: 'First item' },
  { keys: ['G', 'End'], action: 'last', label: 'Last item' },
  { keys: ['Enter'], action: 'open', label: 'Open detail' },
  { keys: ['Escape'], action: 'close', label: 'Close detail / overlay, leave search' },
  { keys: ['f'], action: 'fraud', label: 'Confirm fraud (selection, else current)' },
  { keys: ['p'], action: 'falsePositive', label: 'False positive (selection, else current)' },
  { keys: ['e'], action: 'review', label: 'Escalate: needs review (selection, else current)' },
  { keys: ['x', ' '], action: 'toggleSelect', label: 'Select / unselect current' },
  { keys: ['u'], action: 'undo', label: 'Undo last decision' },
  { keys: ['n'], action: 'note', label: 'Write a note for the next decision' },
  { keys: ['/'], action: 'search', label: 'Search' },
  { keys: ['v'], action: 'entity', label: "Open the current alert's account in the entity view" },
  { keys: ['o'], action: 'case', label: "Open the current alert's case" },
  { keys: ['?'], action: 'help', label: 'Show / hide shortcuts' },
]

/**
 * Keys pressed with Ctrl (Cmd on a Mac), by the key's lower-case letter. Ctrl+C copies
 * the focused alert's ids only when no text is selected on the page (then it is the
 * browser's copy).
 */
export const MOD_SHORTCUTS: ReadonlyArray<{ key: string; action: QueueAction; label: string }> = [
  { key: 'a', action: 'selectAll', label: 'Select every row in this view (again: select none)' },
  { key: 'c', action: 'copy', label: "Copy the current alert's ids (transaction, account, merchant)" },
]

/** How the ? overlay writes a Ctrl/Cmd key. */
export const modKeyLabel = (key: string): string => `Ctrl/⌘+${key.toUpperCase()}`

const BY_KEY = new Map(SHORTCUTS.flatMap((s) => s.keys.map((k) => [k, s.action] as const)))
const BY_MOD_KEY = new Map(MOD_SHORTCUTS.map((s) => [s.key, s.action] as const))

/** Window-level shortcuts, ignored while typing (except Escape, which leaves the field). */
export function useQueueKeyboard(onAction: (action: QueueAction) => void, enabled: boolean): void {
  const handler = useRef(onAction)
  handler.current = onAction
  useEffect(() => {
    if (!enabled) return
    const listener = (event: KeyboardEvent): void => {
      if (event.altKey || event.defaultPrevented) return
      const target = event.target as HTMLElement | null
      const typing = target !== null && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))
      if (typing) {
        if (event.key === 'Escape') target.blur()
        return
      }
      const withMod = event.ctrlKey || event.metaKey
      if (withMod && event.key.toLowerCase() === 'c' && (window.getSelection()?.toString() ?? '') !== '') return
      const action = withMod ? BY_MOD_KEY.get(event.key.toLowerCase()) : BY_KEY.get(event.key)
      if (action === undefined) return
      event.preventDefault()
      handler.current(action)
    }
    window.addEventListener('keydown', listener)
    return () => window.removeEventListener('keydown', listener)
  }, [enabled])
}
