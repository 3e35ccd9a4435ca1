import { SHORTCUTS } from '../hooks/useQueueKeyboard.ts'
import { VIEWS } from '../views.ts'

const KEY_NAMES: Record<string, string> = { ' ': 'Space', ArrowDown: '↓', ArrowUp: '↑', Escape: 'Esc' }

export function ShortcutsOverlay({ onClose }: { onClose: () => void }) {
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts" onClick={onClose}>
      <div className="overlay-card" onClick={(e) => e.stopPropagation()}>
        <h2>Keyboard shortcuts</h2>
        <table>
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.action}>
                <td>
                  {s.keys.map((k) => (
                    <kbd key={k}>{KEY_NAMES[k] ?? k}</kbd>
                  ))}
                </td>
                <td>{s.label}</td>
              </tr>
            ))}
            {VIEWS.map((v) => (
              <tr key={v.id}>
                <td>
                  <kbd>{v.key}</kbd>
                </td>
                <td>{v.label}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted">
          Press <kbd>?</kbd> or <kbd>Esc</kbd> to close.
        </p>
      </div>
    </div>
  )
}
