import { useEffect, useState } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { FileModelKind, LocalBatch } from '../../../contract/scoring.ts'
import { callCore } from '../api/core-client.ts'

/**
 * Under a scored file's row: whether it looks like the model's training data (shown
 * when it does not), what fitted its scores, and what can work instead: a forest
 * fitted on the file, trees trained on its label column, more columns mapped.
 */
export function BatchFit({ batch }: { batch: LocalBatch }) {
  const { domain, fileModel } = batch
  const warn = domain !== null && (!domain.available || domain.verdict !== 'similar')
  if (!warn && fileModel === null) return null
  return (
    <div className="batch-fit" data-testid="batch-domain">
      {domain !== null && domain.available && domain.verdict !== 'similar' && (
        <div className="error-box" role="alert" data-testid="domain-warning" data-verdict={domain.verdict}>
          <strong>{domain.verdict === 'unlike' ? 'Unlike the training data.' : 'Shifted from the training data.'}</strong> {domain.summary}
          <ul className="domain-features">
            {domain.features
              .filter((f) => f.counted && f.note !== '')
              .slice(0, 5)
              .map((f) => (
                <li key={f.feature}>
                  {f.label}: {f.note}
                </li>
              ))}
          </ul>
        </div>
      )}
      {domain !== null && !domain.available && <p className="muted">{domain.reason}</p>}
      {fileModel !== null && <FittedNote batch={batch} />}
      {warn && <FitActions batch={batch} />}
    </div>
  )
}

function FittedNote({ batch }: { batch: LocalBatch }) {
  const m = batch.fileModel
  if (m === null) return null
  const e = m.evaluation
  return (
    <p data-testid="file-model">
      {m.kind === 'file-forest' ? 'Scored by an isolation forest fitted on this file (no labels).' : "Scored by trees trained on this file's labels"}
      {e !== null &&
        `: on ${e.holdoutRows.toLocaleString()} held-out rows (${e.holdoutFrauds.toLocaleString()} frauds, ${e.split === 'time' ? 'the latest' : 'a random share'}) AUC ${e.aucRoc?.toFixed(3) ?? 'n/a'}, average precision ${e.averagePrecision?.toFixed(3) ?? 'n/a'}.`}
    </p>
  )
}

function FitActions({ batch }: { batch: LocalBatch }) {
  const queryClient = useQueryClient()
  const [jobId, setJobId] = useState<string | null>(null)
  const start = useMutation({
    mutationFn: (kind: FileModelKind) => callCore('scoring.refit', { batchId: batch.id, kind }),
    onSuccess: (job) => setJobId(job.jobId),
  })
  const job = useQuery({
    queryKey: ['scoring.job', jobId],
    queryFn: () => callCore('scoring.job', { jobId: jobId as string }),
    enabled: jobId !== null,
    refetchInterval: (q) => (q.state.data?.state === 'running' || q.state.data === undefined ? 500 : false),
  })
  const running = job.data?.state === 'running'
  const finished = job.data?.state === 'done'
  useEffect(() => {
    if (!finished) return
    // The batch was replaced by its re-scored copy: the list and the queue change.
    setJobId(null)
    void queryClient.invalidateQueries()
  }, [finished, queryClient])
  return (
    <div className="fit-actions">
      <span>What can work here: </span>
      <button type="button" disabled={!batch.refittable || running || start.isPending} onClick={() => start.mutate('file-forest')}>
        Score with a model fitted on this file
      </button>{' '}
      {batch.hasLabels && (
        <button type="button" disabled={!batch.refittable || running || start.isPending} onClick={() => start.mutate('file-labels')}>
          Train on this file&apos;s labels
        </button>
      )}{' '}
      <span className="muted">or score the file again with its balance and transaction type columns mapped.</span>
      {!batch.refittable && <p className="muted">The file is no longer on this machine: score it again to fit a model on it.</p>}
      {running && job.data !== undefined && (
        <p role="status">
          {job.data.stage ?? 'Working'}… <progress value={job.data.fraction} max={1} /> {Math.round(job.data.fraction * 100)}%
        </p>
      )}
      {(start.isError || job.data?.state === 'failed') && (
        <p className="error-box" role="alert">
          {start.error?.message ?? job.data?.error}
        </p>
      )}
    </div>
  )
}
