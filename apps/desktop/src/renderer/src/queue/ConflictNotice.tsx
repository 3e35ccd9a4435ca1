import { LABEL_KINDS, type LabelKind } from '@anomalyze/shared'
import { useState } from 'react'
import type { DecisionConflict } from '../../../contract/decisions.ts'
import { RoleNote } from '../components/RoleNote.tsx'
import { useDecisions } from '../hooks/useDecisions.ts'
import { DECISION_LABEL, formatTime, formatWhen } from '../format.ts'

/**
 * The analyst's decision lost to a colleague's that came first: who decided what and
 * when, that theirs is kept in the history, and a way to reopen the alert. Reopening
 * overrides a colleague's call, so it needs a note; viewers cannot (decideReason).
 */
export function ConflictNotice({ anomalyId, conflict, decideReason }: { anomalyId: string; conflict: DecisionConflict; decideReason: string | null }) {
  const { standing, mine } = conflict
  const [open, setOpen] = useState(false)
  const [label, setLabel] = useState<LabelKind>(mine.label === standing.label ? 'NEEDS_REVIEW' : mine.label)
  const [note, setNote] = useState('')
  const { reopen } = useDecisions()
  const trimmed = note.trim()
  const off = decideReason !== null
  return (
    <section className="conflict-notice" aria-label="Decided by someone else first" data-testid="conflict-notice">
      <p data-testid="conflict-text">
        <strong>{standing.decidedBy}</strong> decided <strong>{DECISION_LABEL[standing.label]}</strong> at{' '}
        <time dateTime={new Date(standing.decidedAt).toISOString()} title={`${formatTime(standing.decidedAt)} UTC`}>
          {formatWhen(standing.decidedAt)}
        </time>
        {standing.note !== null && standing.note !== '' && <> (note “{standing.note}”)</>}; your decision <strong>{DECISION_LABEL[mine.label]}</strong> is kept
        in the history.
      </p>
      {!open ? (
        <button type="button" onClick={() => setOpen(true)} disabled={off} title={decideReason ?? undefined}>
          Reopen with a note
        </button>
      ) : (
        <form
          className="reopen-form"
          aria-label="Reopen with a note"
          onSubmit={(e) => {
            e.preventDefault()
            if (trimmed === '' || off) return
            reopen.mutate({ anomalyId, label, note: trimmed, basedOn: standing.mutationId }, { onSuccess: () => setOpen(false) })
          }}
        >
          <label>
            Decision
            <select aria-label="Reopen as" value={label} onChange={(e) => setLabel(e.target.value as LabelKind)}>
              {LABEL_KINDS.map((kind) => (
                <option key={kind} value={kind}>
                  {DECISION_LABEL[kind]}
                </option>
              ))}
            </select>
          </label>
          <textarea
            aria-label="Why reopen"
            placeholder={`Why you reopen ${standing.decidedBy}'s decision (required, kept in the history)`}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            maxLength={2000}
            rows={2}
            required
          />
          <div className="actions">
            <button type="submit" disabled={trimmed === '' || reopen.isPending}>
              Reopen
            </button>
            <button type="button" className="link" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
          {reopen.error !== null && (
            <p className="error-text" role="alert">
              Not reopened: {reopen.error.message}
            </p>
          )}
        </form>
      )}
      <RoleNote reason={decideReason} />
    </section>
  )
}
