import { useState } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { LocalBatch } from '../../../contract/scoring.ts'
import { callCore } from '../api/core-client.ts'
import { formatTime } from '../format.ts'
import { ExportButton } from './ExportButton.tsx'
import { BatchFit } from './BatchFit.tsx'

/** Files scored on this machine before, each one a source the queue can be filtered to; renamable and deletable. */
export function BatchList({ onOpenBatch }: { onOpenBatch: (batchId: string) => void }) {
  const batches = useQuery({ queryKey: ['scoring.batches'], queryFn: () => callCore('scoring.batches', {}) })
  const [deleting, setDeleting] = useState<LocalBatch | null>(null)
  if (batches.data === undefined || batches.data.length === 0) return null
  return (
    <section className="batch-list" aria-label="Scored files">
      <h3>Scored on this machine</h3>
      <table>
        <tbody>
          {batches.data.map((b) => [
            <tr key={b.id} data-testid="scored-file">
              <td className="batch-name">
                <BatchName batch={b} />
              </td>
              <td className="muted">{formatTime(b.createdAt)}</td>
              <td className="num">{b.rowCount.toLocaleString()} rows</td>
              <td className="num">
                {b.alertCount.toLocaleString()} {b.alertCount === 1 ? 'alert' : 'alerts'}
              </td>
              <td className="num">{b.badRowCount > 0 ? `${b.badRowCount.toLocaleString()} bad` : ''}</td>
              <td className="muted">{b.modelVersion}</td>
              <td className="batch-actions">
                <button type="button" onClick={() => onOpenBatch(b.id)}>
                  Open in queue
                </button>{' '}
                <ExportButton batchId={b.id} name={b.name} />{' '}
                <button type="button" className="danger" onClick={() => setDeleting(b)} aria-label={`Delete ${b.name}`}>
                  Delete…
                </button>
              </td>
            </tr>,
            <tr key={`${b.id}-fit`} className="batch-fit-row">
              <td colSpan={7}>
                <BatchFit batch={b} />
              </td>
            </tr>,
          ])}
        </tbody>
      </table>
      {deleting !== null && <DeleteBatchDialog batch={deleting} onClose={() => setDeleting(null)} />}
    </section>
  )
}

/** The name, shown whole on hover; click (or Enter) to rename, Enter to save, Esc to cancel. */
function BatchName({ batch }: { batch: LocalBatch }) {
  const queryClient = useQueryClient()
  const [draft, setDraft] = useState<string | null>(null)
  const rename = useMutation({
    mutationFn: (name: string) => callCore('scoring.renameBatch', { batchId: batch.id, name }),
    onSuccess: () => {
      setDraft(null)
      // The queue's file picker shows the name too.
      void queryClient.invalidateQueries()
    },
  })
  if (draft === null) {
    return (
      <button type="button" className="link-button" title={`${batch.name} (click to rename)`} onClick={() => setDraft(batch.name)}>
        {batch.name}
      </button>
    )
  }
  const save = (): void => {
    if (draft.trim() === batch.name) setDraft(null)
    else rename.mutate(draft)
  }
  return (
    <span>
      <input
        aria-label={`New name for ${batch.name}`}
        value={draft}
        maxLength={200}
        autoFocus
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') save()
          if (e.key === 'Escape') setDraft(null)
        }}
        onBlur={save}
      />
      {rename.isError && (
        <span className="error-text" role="alert">
          {' '}
          {rename.error.message}
        </span>
      )}
    </span>
  )
}

function DeleteBatchDialog({ batch, onClose }: { batch: LocalBatch; onClose: () => void }) {
  const queryClient = useQueryClient()
  const remove = useMutation({
    mutationFn: () => callCore('scoring.deleteBatch', { batchId: batch.id }),
    onSuccess: () => {
      // Its alerts leave the queue, its counts the overview.
      void queryClient.invalidateQueries()
      onClose()
    },
  })
  return (
    <div
      className="overlay"
      role="dialog"
      aria-modal="true"
      aria-label={`Delete ${batch.name}`}
      onClick={onClose}
      onKeyDown={(e) => e.key === 'Escape' && onClose()}
    >
      <div className="overlay-card" onClick={(e) => e.stopPropagation()}>
        <h2>Delete “{batch.name}”?</h2>
        <p>
          Its {batch.rowCount.toLocaleString()} scored rows and {batch.alertCount.toLocaleString()} {batch.alertCount === 1 ? 'alert' : 'alerts'} are removed
          from this machine, decisions on them included. The file you picked is not touched. This cannot be undone: to see the rows again, score the file again.
        </p>
        {remove.isError && (
          <p className="error-box" role="alert">
            {remove.error.message}
          </p>
        )}
        <div className="actions">
          <button type="button" className="act-fraud" disabled={remove.isPending} onClick={() => remove.mutate()}>
            {remove.isPending ? 'Deleting…' : `Delete ${batch.name}`}
          </button>
          <button type="button" onClick={onClose} autoFocus>
            Cancel
          </button>
        </div>
      </div>
    </div>
  )
}
