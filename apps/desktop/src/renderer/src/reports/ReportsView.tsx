import { useMutation, useQuery } from '@tanstack/react-query'
import { useTRPC } from '../api/server-api.ts'
import { formatTime } from '../format.ts'
import { useServerOnline } from '../hooks/useServerOnline.ts'
import { CreateReportForm } from './CreateReportForm.tsx'

const STATUS_TEXT = { QUEUED: 'Queued', PROCESSING: 'Running', COMPLETED: 'Ready', FAILED: 'Failed' } as const

/**
 * Reports (view 5): exports and summaries generated on the server. The list polls
 * while a report is queued or running, and offers a time-limited download once ready.
 * Online only: the files live in the server's storage.
 */
export function ReportsView() {
  const trpc = useTRPC()
  const online = useServerOnline()
  const reports = useQuery({
    ...trpc.reports.list.queryOptions({ limit: 50 }),
    enabled: online,
    refetchInterval: (query) => (query.state.data?.some((r) => r.status === 'QUEUED' || r.status === 'PROCESSING') ? 1_000 : false),
  })
  const download = useMutation(
    trpc.reports.downloadUrl.mutationOptions({
      // A fresh link per click: it expires after a few minutes.
      onSuccess: (link) => window.open(link.url, '_blank', 'noopener'),
    }),
  )

  if (!online)
    return (
      <p className="empty-box" data-testid="reports-offline">
        Reports are generated on the server: sign in and go online to create or download them.
      </p>
    )

  return (
    <section className="reports-view" data-testid="reports-view">
      <h2>Reports</h2>
      <p className="muted">CSV exports are streamed from the server&apos;s database, so they can hold millions of rows. Times are UTC.</p>
      <CreateReportForm />
      {download.isError && (
        <p className="error-text" role="alert">
          {download.error.message}
        </p>
      )}
      {reports.isError && (
        <p className="error-box" role="alert">
          {reports.error.message}
        </p>
      )}
      {reports.data !== undefined && reports.data.length === 0 && <p className="muted">No reports yet.</p>}
      {reports.data !== undefined && reports.data.length > 0 && (
        <table className="reports-table" aria-label="Reports">
          <thead>
            <tr>
              <th>Report</th>
              <th>Requested</th>
              <th>Status</th>
              <th className="num">Rows</th>
              <th>Finished</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {reports.data.map((r) => (
              <tr key={r.id} data-testid="report-row" data-status={r.status}>
                <td data-testid="report-title">{r.title}</td>
                <td className="muted">{formatTime(r.createdAt)}</td>
                <td>
                  {STATUS_TEXT[r.status]}
                  {r.status === 'PROCESSING' && <progress aria-label="Report progress" max={100} value={r.progress} />}
                  {r.status === 'PROCESSING' && <span className="muted"> {r.progress}%</span>}
                  {r.error !== null && <div className="error-text">{r.error}</div>}
                </td>
                <td className="num">{r.rowCount?.toLocaleString() ?? ''}</td>
                <td className="muted">{r.completedAt === null ? '' : formatTime(r.completedAt)}</td>
                <td>
                  {r.downloadable && (
                    <button type="button" disabled={download.isPending} onClick={() => download.mutate({ id: r.id })} title={r.fileName}>
                      Download
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
