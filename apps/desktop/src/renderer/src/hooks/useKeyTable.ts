import { useEffect, useRef } from 'react'

export interface KeyBinding<A extends string> {
  keys: string[]
  action: A
  label: string
}

/**
 * Window shortcuts from a table, for views opened over the queue (cases, entity). They
 * listen in the capture phase and mark the keys they use as handled (preventDefault), so
 * the app's view keys (1-9) step aside while, say, 1-5 switch the case queues. Ignored
 * while typing, except Escape, which leaves the field; Ctrl/Cmd/Alt combinations are left
 * to the fields themselves (Ctrl+Enter posts a comment).
 */
export function useKeyTable<A extends string>(
  table: ReadonlyArray<KeyBinding<A>>,
  onAction: (action: A, event: KeyboardEvent) => void,
  enabled: boolean,
): void {
  const handler = useRef(onAction)
  handler.current = onAction
  useEffect(() => {
    if (!enabled) return
    const byKey = new Map(table.flatMap((b) => b.keys.map((k) => [k, b.action] as const)))
    const listener = (event: KeyboardEvent): void => {
      if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return
      const target = event.target as HTMLElement | null
      const typing = target !== null && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))
      if (typing) {
        if (event.key === 'Escape') {
          target.blur()
          event.preventDefault()
        }
        return
      }
      // A dialog (the close confirmation) takes every key while it is up; the shortcuts
      // overlay is the table's own and closes with Esc or ?.
      const dialog = document.querySelector('[role="dialog"][aria-modal="true"]')
      if (dialog !== null && (dialog.getAttribute('aria-label') !== 'Keyboard shortcuts' || (event.key !== 'Escape' && event.key !== '?'))) return
      const action = byKey.get(event.key)
      if (action === undefined) return
      event.preventDefault()
      handler.current(action, event)
    }
    window.addEventListener('keydown', listener, { capture: true })
    return () => window.removeEventListener('keydown', listener, { capture: true })
  }, [table, enabled])
}
