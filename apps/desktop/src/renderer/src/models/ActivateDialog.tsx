import { useEffect, useRef } from 'react'
import { useQuery } from '@tanstack/react-query'
import { useTRPC } from '../api/server-api.ts'
import { CandidatePreview, SHIPPED_DEFAULT_ID } from './CandidatePreview.tsx'
import { comparisonOf, FIGURE_ROWS, figureRows, figuresOf, formatFigure, verdict, type AlertVolume } from './model-metrics.ts'

export interface DialogVersion {
  id: string
  version: string
  /** The name an analyst reads: "1.1.0" or "shipped default". */
  label: string
  metrics: Record<string, unknown>
}

interface Props {
  active: DialogVersion
  candidate: DialogVersion
  /** "Activate" or "Roll back to". */
  verb: string
  busy: boolean
  error: string | null
  onConfirm: () => void
  onCancel: () => void
}

/**
 * Confirms a model switch: the active and the candidate version's figures side by side
 * (the preview's comparison on recent transactions when the server has it, else each
 * version's registered evaluation), the alert-volume warning, and the preview of the
 * alerts that would move. Cancel has the focus and Escape cancels, so a stray Enter
 * never switches the model.
 */
export function ActivateDialog({ active, candidate, verb, busy, error, onConfirm, onCancel }: Props) {
  const cancel = useRef<HTMLButtonElement>(null)
  useEffect(() => cancel.current?.focus(), [])
  const trpc = useTRPC()
  // Same query as CandidatePreview's (same key: one request); its comparison feeds the table.
  const preview = useQuery({
    ...trpc.models.previewCandidate.queryOptions({ modelId: candidate.id, limit: 20 }),
    enabled: candidate.id !== SHIPPED_DEFAULT_ID,
    retry: false,
    staleTime: 60_000,
  })
  const comparison = comparisonOf(preview.data)
  const figures = figureRows(comparison, figuresOf(active.metrics), figuresOf(candidate.metrics))
  const anyRecent = FIGURE_ROWS.some((row) => figures[row.key].source === 'recent')
  const anyRegistered = FIGURE_ROWS.some((row) => figures[row.key].source === 'registered')
  const volume: AlertVolume | null = comparison?.alertVolume ?? null
  const warning =
    volume?.warning ?? (typeof candidate.metrics.alertVolume === 'object' ? ((candidate.metrics.alertVolume as { warning?: unknown }).warning ?? null) : null)
  const budget = volume?.budgetPerDay ?? null
  return (
    <div className="overlay" onClick={onCancel}>
      <div
        className="overlay-card activate-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="activate-dialog-title"
        data-testid="activate-dialog"
        onClick={(event) => event.stopPropagation()}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.stopPropagation()
            onCancel()
          }
        }}
      >
        <h3 id="activate-dialog-title">
          {verb} {candidate.label}?
        </h3>
        <p className="muted">
          Every new transaction will be scored by {candidate.label} instead of {active.label}, and each console re-scores its queue on its next sync.
        </p>
        <table className="models-table compare-table" aria-label="Active and candidate figures side by side" data-testid="compare-table">
          <thead>
            <tr>
              <th>Figure</th>
              <th className="num">{active.label} (active)</th>
              <th className="num">{candidate.label}</th>
            </tr>
          </thead>
          <tbody>
            {FIGURE_ROWS.map((row) => {
              const { active: left, candidate: right, source } = figures[row.key]
              const mark = verdict(left, right, row.higherIsBetter)
              return (
                <tr key={row.key} data-figure={row.key} data-source={source}>
                  <td>
                    {row.label}
                    {anyRecent && source === 'registered' && <span title="From each version’s evaluation when it was registered">*</span>}
                    {row.key === 'alertsPerDay' && budget !== null && <span className="muted"> (budget {budget.toFixed(1)})</span>}
                  </td>
                  <td className="num" data-testid={`active-${row.key}`}>
                    {formatFigure(left, row.digits)}
                  </td>
                  <td className={`num${mark === null ? '' : ` figure-${mark}`}`} data-testid={`candidate-${row.key}`}>
                    {formatFigure(right, row.digits)}
                    {mark !== null && <span className="figure-verdict"> {mark === 'better' ? '▲ better' : '▼ worse'}</span>}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
        <p className="muted" data-testid="figure-sources">
          {!anyRecent
            ? 'Figures from each version’s evaluation when it was registered.'
            : anyRegistered
              ? 'Figures from scoring your recent transactions with both versions; * from each version’s evaluation when it was registered, as your recent transactions carry too few analyst decisions to measure it.'
              : 'Figures from scoring your recent labelled transactions with both versions.'}
        </p>
        {typeof warning === 'string' && warning !== '' && (
          <p className="warning-box" role="alert" data-testid="alert-volume-warning">
            ⚠ {warning}
          </p>
        )}
        <CandidatePreview modelId={candidate.id} version={candidate.label} />
        {error !== null && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
        <div className="actions dialog-actions">
          <button type="button" ref={cancel} onClick={onCancel}>
            Cancel <kbd>Esc</kbd>
          </button>
          <button type="button" className="primary" disabled={busy} onClick={onConfirm} data-testid="confirm-activate">
            {verb} {candidate.label}
          </button>
        </div>
      </div>
    </div>
  )
}
