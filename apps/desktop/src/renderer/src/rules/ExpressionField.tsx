import { errorMarker } from './error-marker.ts'
import type { RuleError } from './rules-api.ts'

interface Props {
  value: string
  onChange: (value: string) => void
  /** The server's errors for the text it refused; shown instead of the live check's until the text changes. */
  errors: RuleError[]
  checking: boolean
}

/**
 * The rule's condition in a monospace field, with each error under it: the message,
 * "line L, column C", and the offending line with a caret under the spot.
 */
export function ExpressionField({ value, onChange, errors, checking }: Props) {
  const lines = Math.min(14, Math.max(4, value.split('\n').length + 1))
  return (
    <div className="rule-expression">
      <textarea
        aria-label="Rule condition"
        className="rule-code"
        spellCheck={false}
        rows={lines}
        value={value}
        aria-invalid={errors.length > 0}
        onChange={(e) => onChange(e.target.value)}
        data-testid="rule-expression"
      />
      <div className="rule-check" aria-live="polite" data-testid="rule-check" data-state={checking ? 'checking' : errors.length === 0 ? 'ok' : 'errors'}>
        {errors.length === 0 ? (
          <span className="muted">
            {checking ? 'Checking…' : value.trim() === '' ? 'Write a condition, e.g. amount > 5000 and country in ("RU", "NG")' : 'The condition checks.'}
          </span>
        ) : (
          errors.map((error, index) => {
            const marker = errorMarker(value, error)
            return (
              <div key={`${error.offset}-${index}`} className="rule-error" data-testid="rule-error" data-line={error.line} data-column={error.column}>
                <div className="error-text">
                  <strong>{marker.where}:</strong> {marker.message}
                </div>
                {marker.lineText !== '' && (
                  <pre className="rule-code rule-caret" aria-hidden="true">
                    {marker.lineText}
                    {'\n'}
                    <span className="rule-caret-mark">{marker.caret}</span>
                  </pre>
                )}
              </div>
            )
          })
        )}
      </div>
    </div>
  )
}
