import type { ClosedCaseStatus } from '@anomalyze/shared'
import { useEffect, useRef, useState } from 'react'

/**
 * Closing decides every open alert of the case in one step, so it asks first and says
 * how many. The note is optional and goes with the close (and into the timeline).
 */
export function CloseDialog({
  status,
  openAlerts,
  onConfirm,
  onCancel,
}: {
  status: ClosedCaseStatus
  openAlerts: number
  onConfirm: (note: string) => void
  onCancel: () => void
}) {
  const [note, setNote] = useState('')
  const confirmRef = useRef<HTMLButtonElement>(null)
  useEffect(() => confirmRef.current?.focus(), [])
  const fraud = status === 'CLOSED_FRAUD'
  const what = fraud ? 'confirmed fraud' : 'false positives'
  return (
    <div
      className="overlay"
      role="dialog"
      aria-modal="true"
      aria-label={fraud ? 'Close as fraud' : 'Close as legitimate'}
      onClick={onCancel}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation()
          onCancel()
        }
      }}
      data-testid="close-dialog"
    >
      <form
        className="overlay-card close-dialog"
        onClick={(e) => e.stopPropagation()}
        onSubmit={(e) => {
          e.preventDefault()
          onConfirm(note.trim())
        }}
      >
        <h2>{fraud ? 'Close as fraud?' : 'Close as legitimate?'}</h2>
        <p data-testid="close-dialog-text">
          {openAlerts === 0
            ? 'No alert of this case is still open: closing decides none.'
            : `This decides ${openAlerts} open ${openAlerts === 1 ? 'alert' : 'alerts'} as ${what}.`}
        </p>
        <textarea
          aria-label="Closing note"
          placeholder="Optional note, kept in the timeline"
          value={note}
          onChange={(e) => setNote(e.target.value)}
          maxLength={2000}
          rows={3}
        />
        <div className="actions">
          <button ref={confirmRef} type="submit" className={fraud ? 'act-fraud' : 'act-fp'} data-testid="close-confirm">
            {fraud ? 'Close as fraud' : 'Close as legitimate'}
          </button>
          <button type="button" className="link" onClick={onCancel}>
            Cancel <kbd>Esc</kbd>
          </button>
        </div>
      </form>
    </div>
  )
}
