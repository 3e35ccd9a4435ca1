import { CASE_DETAIL_KEYS, CASE_LIST_KEYS, ENTITY_KEYS, QUEUE_CASE_KEYS } from '../cases/case-keys.ts'
import { MOD_SHORTCUTS, modKeyLabel, SHORTCUTS } from '../hooks/useQueueKeyboard.ts'
import { RULE_EDITOR_KEYS, RULES_KEYS } from '../rules/rule-keys.ts'
import { VIEWS, viewKeyLabel } from '../views.ts'

const KEY_NAMES: Record<string, string> = { ' ': 'Space', ArrowDown: '↓', ArrowUp: '↑', Escape: 'Esc' }

/** Every key of the console, by where it works: the queue, the views, Cases, an open case, the entity view, Rules. */
/** Tables of keys, each under a title. */
export type ShortcutSections = ReadonlyArray<{ title: string; rows: ReadonlyArray<{ keys: readonly string[]; label: string }> }>

const SECTIONS: ShortcutSections = [
  { title: 'Queue', rows: SHORTCUTS.filter((s) => !QUEUE_CASE_KEYS.some((q) => q.keys.includes(s.keys[0] ?? ''))) },
  { title: 'Queue: selection and copy', rows: MOD_SHORTCUTS.map((s) => ({ keys: [modKeyLabel(s.key)], label: s.label })) },
  { title: 'Queue: cases and entities', rows: QUEUE_CASE_KEYS },
  { title: 'Views', rows: VIEWS.map((v) => ({ keys: [viewKeyLabel(v.key)], label: v.label })) },
  { title: 'Cases', rows: CASE_LIST_KEYS },
  { title: 'An open case', rows: CASE_DETAIL_KEYS },
  { title: 'Entity view', rows: ENTITY_KEYS },
  { title: 'Rules', rows: RULES_KEYS },
  { title: 'Rule editor', rows: RULE_EDITOR_KEYS },
]

/** The ? overlay: every key of the console, or the sections a view gives (the Rules view lists its own first). */
export function ShortcutsOverlay({ onClose, sections = SECTIONS }: { onClose: () => void; sections?: ShortcutSections }) {
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts" onClick={onClose}>
      <div className="overlay-card shortcuts-card" onClick={(e) => e.stopPropagation()}>
        <h2>Keyboard shortcuts</h2>
        <div className="shortcut-sections">
          {sections.map((section) => (
            <table key={section.title} aria-label={section.title}>
              <caption>{section.title}</caption>
              <tbody>
                {section.rows.map((s) => (
                  <tr key={`${s.keys.join(' ')}-${s.label}`}>
                    <td>
                      {s.keys.map((k) => (
                        <kbd key={k}>{KEY_NAMES[k] ?? k}</kbd>
                      ))}
                    </td>
                    <td>{s.label}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ))}
        </div>
        <p className="muted">
          Press <kbd>?</kbd> or <kbd>Esc</kbd> to close.
        </p>
      </div>
    </div>
  )
}
