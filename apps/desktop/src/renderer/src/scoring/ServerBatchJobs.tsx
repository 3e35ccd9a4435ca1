import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useTRPC } from '../api/server-api.ts'
import { formatTime } from '../format.ts'
import { useServerOnline } from '../hooks/useServerOnline.ts'

const STATUS_TEXT = { QUEUED: 'Queued', PROCESSING: 'Running', COMPLETED: 'Done', FAILED: 'Failed' } as const

/**
 * The signed-in user's batch CSV jobs on the server (uploaded with POST /batch-jobs,
 * by API or here), with progress while they run. Polls only while one is unfinished.
 */
export function ServerBatchJobs() {
  const trpc = useTRPC()
  const online = useServerOnline()
  const jobs = useQuery({
    ...trpc.batchJobs.list.queryOptions({ limit: 20 }),
    enabled: online,
    refetchInterval: (query) => (query.state.data?.some((j) => j.status === 'QUEUED' || j.status === 'PROCESSING') ? 1_500 : false),
  })
  const queryClient = useQueryClient()
  const errorsLink = useMutation({
    // A fresh link per click (it expires after a few minutes), never served from cache.
    mutationFn: (id: string) => queryClient.fetchQuery({ ...trpc.batchJobs.errorsDownload.queryOptions({ id }), staleTime: 0 }),
    onSuccess: (link) => window.open(link.url, '_blank', 'noopener'),
  })

  if (!online || jobs.data === undefined || jobs.data.length === 0) return null
  return (
    <section className="server-batch-jobs" aria-label="Batch jobs on the server">
      <h3>Batch jobs on the server</h3>
      {errorsLink.isError && (
        <p className="error-text" role="alert">
          {errorsLink.error.message}
        </p>
      )}
      <table>
        <tbody>
          {jobs.data.map((j) => (
            <tr key={j.id} data-testid="server-batch-job" data-status={j.status}>
              <td>{j.fileName}</td>
              <td className="muted">{formatTime(Date.parse(String(j.createdAt)))}</td>
              <td>
                {STATUS_TEXT[j.status]}
                {j.status === 'PROCESSING' && <progress aria-label="Batch job progress" max={1} value={j.progress} />}
                {j.failureReason !== null && <div className="error-text">{j.failureReason}</div>}
              </td>
              <td className="num">
                {j.processedRows.toLocaleString()}
                {j.totalRows !== null && ` / ${j.totalRows.toLocaleString()}`} rows
              </td>
              <td className="num muted">
                {j.acceptedRows.toLocaleString()} new, {j.duplicateRows.toLocaleString()} duplicate, {j.rejectedRows.toLocaleString()} rejected
              </td>
              <td>
                {j.hasErrorsFile && (
                  <button type="button" onClick={() => errorsLink.mutate(j.id)} disabled={errorsLink.isPending}>
                    Rejected rows
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
