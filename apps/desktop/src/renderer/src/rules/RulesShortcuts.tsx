import { VIEWS, viewKeyLabel } from '../views.ts'
import { RULE_EDITOR_KEYS, RULES_KEYS } from './rule-keys.ts'

const KEY_NAMES: Record<string, string> = { ArrowDown: '↓', ArrowUp: '↑', Escape: 'Esc' }

const SECTIONS = [
  { title: 'Rules view', rows: RULES_KEYS },
  { title: 'Rule editor', rows: RULE_EDITOR_KEYS },
  {
    title: 'Views (here, 1-4 switch the tabs)',
    rows: VIEWS.map((v) => ({ keys: [viewKeyLabel(v.key)], label: v.label })),
  },
]

/** The Rules view's ? overlay: its keys, the editor's, and the view keys. */
export function RulesShortcuts({ onClose }: { onClose: () => void }) {
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts" onClick={onClose}>
      <div className="overlay-card shortcuts-card" onClick={(e) => e.stopPropagation()}>
        <h2>Keyboard shortcuts</h2>
        <div className="shortcut-sections">
          {SECTIONS.map((section) => (
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
