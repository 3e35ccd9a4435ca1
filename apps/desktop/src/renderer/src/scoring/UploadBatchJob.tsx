import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import type { FieldMapping, ScoringSource } from '../../../contract/scoring.ts'
import { callCore } from '../api/core-client.ts'
import { useTRPC } from '../api/server-api.ts'
import { usePermission } from '../hooks/useProfile.ts'
import { useServerOnline } from '../hooks/useServerOnline.ts'
import { useSyncStatus } from '../hooks/useSyncStatus.ts'

interface Props {
  source: ScoringSource
  mapping: FieldMapping
  fileName: string
  sizeBytes: number
  /** Set when the mapping cannot be used (the button stays off). */
  blocked: boolean
}

/**
 * "Upload as batch job": the analyst's explicit choice to send the opened file to the
 * server, behind a confirm step that names the file, its size and the server. The new
 * job then shows in "Batch jobs on the server" below.
 */
export function UploadBatchJob({ source, mapping, fileName, sizeBytes, blocked }: Props) {
  const online = useServerOnline()
  const serverUrl = useSyncStatus().data?.serverUrl ?? null
  const [confirming, setConfirming] = useState(false)
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const upload = useMutation({
    mutationFn: () => callCore('scoring.uploadBatch', { source, mapping, fileName }),
    onSuccess: () => {
      setConfirming(false)
      void queryClient.invalidateQueries({ queryKey: trpc.batchJobs.list.queryKey() })
    },
  })
  // Bytes handed to the connection so far, while the file is being sent.
  const progress = useQuery({
    queryKey: ['scoring.uploadProgress'],
    queryFn: () => callCore('scoring.uploadProgress', {}),
    enabled: upload.isPending,
    refetchInterval: 250,
    staleTime: 0,
  })
  const sent = upload.isPending ? progress.data : null
  const roleReason = usePermission('ingest:write').reason
  const why = !online
    ? 'Sign in to a server and be online to upload the file as a batch job.'
    : roleReason !== null
      ? roleReason
      : blocked
        ? 'Fix the column mapping first.'
        : null

  return (
    <>
      <span title={why ?? 'Send this file to the server as a batch job (asks first)'}>
        <button
          type="button"
          disabled={why !== null || upload.isPending || confirming}
          onClick={() => {
            upload.reset()
            setConfirming(true)
          }}
        >
          Upload as batch job
        </button>
      </span>
      {confirming && (
        <div className="upload-confirm" role="alertdialog" aria-label="Confirm upload" data-testid="upload-confirm">
          <p>
            This sends <strong>{fileName}</strong> ({formatSize(sizeBytes)}) to <strong>{serverUrl ?? 'the server'}</strong> as a batch job, read with the
            mapping above. Nothing else leaves this machine.
          </p>
          {upload.isPending &&
            (sent == null || sent.totalBytes === 0 ? (
              <progress aria-label="Sending the file" />
            ) : (
              <p>
                <progress aria-label="Sending the file" max={sent.totalBytes} value={sent.sentBytes} /> {formatSize(sent.sentBytes)} of{' '}
                {formatSize(sent.totalBytes)} sent
              </p>
            ))}
          <div className="actions">
            <button type="button" className="primary" disabled={upload.isPending} onClick={() => upload.mutate()}>
              {upload.isPending ? 'Sending…' : 'Send to the server'}
            </button>
            <button type="button" disabled={upload.isPending} onClick={() => setConfirming(false)}>
              Keep it here
            </button>
          </div>
        </div>
      )}
      {upload.isError && (
        <p className="error-box" role="alert">
          Upload failed: {upload.error.message}
        </p>
      )}
      {upload.isSuccess && (
        <p className="success-text" role="status" data-testid="upload-done">
          Sent: batch job for {upload.data.fileName} ({upload.data.totalRows.toLocaleString()} rows) is queued on the server; its progress shows below.
        </p>
      )}
    </>
  )
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}
