import { useQuery } from '@tanstack/react-query'
import { callCore } from '../api/core-client.ts'
import { formatTime } from '../format.ts'
import { ExportButton } from './ExportButton.tsx'

/** Files scored on this machine before, each one a source the queue can be filtered to. */
export function BatchList({ onOpenBatch }: { onOpenBatch: (batchId: string) => void }) {
  const batches = useQuery({ queryKey: ['scoring.batches'], queryFn: () => callCore('scoring.batches', {}) })
  if (batches.data === undefined || batches.data.length === 0) return null
  return (
    <section className="batch-list" aria-label="Scored files">
      <h3>Scored on this machine</h3>
      <table>
        <tbody>
          {batches.data.map((b) => (
            <tr key={b.id}>
              <td>{b.name}</td>
              <td className="muted">{formatTime(b.createdAt)}</td>
              <td className="num">{b.rowCount.toLocaleString()} rows</td>
              <td className="num">
                {b.alertCount.toLocaleString()} {b.alertCount === 1 ? 'alert' : 'alerts'}
              </td>
              <td className="num">{b.badRowCount > 0 ? `${b.badRowCount.toLocaleString()} bad` : ''}</td>
              <td className="muted">{b.modelVersion}</td>
              <td>
                <button type="button" onClick={() => onOpenBatch(b.id)}>
                  Open in queue
                </button>{' '}
                <ExportButton batchId={b.id} name={b.name} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
