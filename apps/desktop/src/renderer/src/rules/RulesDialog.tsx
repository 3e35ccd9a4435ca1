import { useEffect, useRef, useState, type ReactNode } from 'react'

interface Props {
  title: string
  children?: ReactNode
  /** Asks for a comment (publish, roll back): required, at most 500 characters. */
  comment?: { label: string; placeholder: string }
  confirmLabel: string
  /** A refusal to show (the server's words). */
  error?: string | null
  busy?: boolean
  /** Why the confirm button is off (the role), shown beside it. */
  disabledReason?: string | null
  onConfirm: (comment: string) => void
  onCancel: () => void
  testId: string
}

/** The Rules view's confirmations (delete, publish, roll back): a modal that takes the keys while it is up; Esc cancels. */
export function RulesDialog({ title, children, comment, confirmLabel, error, busy = false, disabledReason = null, onConfirm, onCancel, testId }: Props) {
  const [text, setText] = useState('')
  const firstRef = useRef<HTMLTextAreaElement & HTMLButtonElement>(null)
  useEffect(() => firstRef.current?.focus(), [])
  const missingComment = comment !== undefined && text.trim() === ''
  return (
    <div
      className="overlay"
      role="dialog"
      aria-modal="true"
      aria-label={title}
      onClick={onCancel}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation()
          onCancel()
        }
      }}
      data-testid={testId}
    >
      <form
        className="overlay-card rules-dialog"
        onClick={(e) => e.stopPropagation()}
        onSubmit={(e) => {
          e.preventDefault()
          if (!missingComment && !busy && disabledReason === null) onConfirm(text.trim())
        }}
      >
        <h2>{title}</h2>
        {children}
        {comment !== undefined && (
          <textarea
            ref={firstRef}
            aria-label={comment.label}
            placeholder={comment.placeholder}
            value={text}
            onChange={(e) => setText(e.target.value)}
            maxLength={500}
            rows={3}
          />
        )}
        {error != null && (
          <p className="error-text" role="alert" data-testid={`${testId}-error`}>
            {error}
          </p>
        )}
        <div className="actions">
          <button
            ref={comment === undefined ? firstRef : undefined}
            type="submit"
            disabled={missingComment || busy || disabledReason !== null}
            title={disabledReason ?? (missingComment ? 'Say why: a comment is required' : undefined)}
            data-testid={`${testId}-confirm`}
          >
            {busy ? 'Working…' : confirmLabel}
          </button>
          <button type="button" className="link" onClick={onCancel}>
            Cancel <kbd>Esc</kbd>
          </button>
          {disabledReason !== null && <span className="role-note">{disabledReason}</span>}
        </div>
      </form>
    </div>
  )
}
