import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTRPC } from '../api/server-api.ts'
import { formatTime } from '../format.ts'
import { RoleNote } from '../components/RoleNote.tsx'
import { usePermission } from '../hooks/useProfile.ts'
import { useServerOnline } from '../hooks/useServerOnline.ts'
import { CandidatePreview } from './CandidatePreview.tsx'

const STATUS_TEXT = { QUEUED: 'Queued', PROCESSING: 'Training', COMPLETED: 'Done', FAILED: 'Failed' } as const

/** The figures shown side by side, from each version's registered metrics. */
const METRICS: { key: string; label: string; digits: number }[] = [
  { key: 'holdoutAveragePrecision', label: 'Average precision (holdout)', digits: 3 },
  { key: 'precisionAtBudget', label: 'Precision at alert budget', digits: 3 },
  { key: 'recallAtBudget', label: 'Recall at alert budget', digits: 3 },
  { key: 'falsePositivesPer1000', label: 'False positives / 1,000 tx', digits: 1 },
  { key: 'falsePositivePatternsSuppressed', label: 'Flagged false positives now below threshold', digits: 0 },
]

function figure(value: unknown, digits: number): string {
  return typeof value === 'number' ? value.toFixed(digits) : '–'
}

/**
 * Models (view 4): registered versions with their metrics side by side, activation
 * and rollback, and retraining on the analysts' labels with the job's progress and
 * evaluation report, and a before/after preview of the alert queue for any
 * inactive version. Online only: the registry lives on the server.
 */
export function ModelsView() {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const online = useServerOnline()
  const models = useQuery({ ...trpc.models.list.queryOptions(), enabled: online })
  const jobs = useQuery({
    ...trpc.training.list.queryOptions({ limit: 10 }),
    enabled: online,
    refetchInterval: (query) => (query.state.data?.some((j) => j.status === 'QUEUED' || j.status === 'PROCESSING') ? 1_000 : false),
  })
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.models.list.queryKey() })
    void queryClient.invalidateQueries({ queryKey: trpc.training.list.queryKey() })
  }
  // The version whose before/after preview is open (by id), if any.
  const [previewing, setPreviewing] = useState<string | null>(null)
  const manageReason = usePermission('models:manage').reason
  const closeOnSuccess = { onSuccess: () => setPreviewing(null), onSettled: refresh }
  const activate = useMutation(trpc.models.activate.mutationOptions(closeOnSuccess))
  const rollback = useMutation(trpc.models.rollback.mutationOptions(closeOnSuccess))
  const train = useMutation(trpc.training.start.mutationOptions({ onSettled: refresh }))

  if (!online)
    return (
      <p className="empty-box" data-testid="models-offline">
        Model versions live on the server: sign in and go online to manage them.
      </p>
    )

  const versions = models.data?.versions ?? []
  const latestJob = jobs.data?.[0]
  const busy = activate.isPending || rollback.isPending
  const error = activate.error ?? rollback.error ?? train.error
  const previewed = versions.find((v) => v.id === previewing && !v.isActive)
  /** Activate a never-active version, or roll back to one that was active before. */
  const activateVersion = (v: { version: string; activatedAt: number | null }) => (v.activatedAt === null ? activate : rollback).mutate({ version: v.version })

  return (
    <section className="models-view" data-testid="models-view">
      <h2>Models</h2>
      <p className="muted">
        Active: <strong data-testid="active-version">{models.data?.activeVersion ?? '…'}</strong>
        {models.data?.activeVersion === 'default' && ' (the shipped model: no version of yours is active yet)'}. Desktops pick up the active version on their
        next sync.
      </p>
      <div className="models-actions">
        <button
          type="button"
          disabled={manageReason !== null || train.isPending || latestJob?.status === 'QUEUED' || latestJob?.status === 'PROCESSING'}
          title={manageReason ?? undefined}
          onClick={() => train.mutate()}
        >
          Retrain on labels
        </button>
        <button
          type="button"
          disabled={manageReason !== null || busy || versions.length === 0}
          onClick={() => rollback.mutate({})}
          title={manageReason ?? 'Go back to the version active before this one'}
        >
          Roll back
        </button>
      </div>
      <RoleNote reason={manageReason} />
      {error !== null && (
        <p className="error-text" role="alert">
          {error.message}
        </p>
      )}
      {latestJob !== undefined && (
        <div className="training-job" data-testid="training-job" data-status={latestJob.status}>
          Latest training ({formatTime(latestJob.createdAt)}, {latestJob.trigger === 'MANUAL' ? 'manual' : 'after new labels'}): {STATUS_TEXT[latestJob.status]}
          {latestJob.status === 'PROCESSING' && <progress aria-label="Training progress" max={100} value={latestJob.progress} />}
          {latestJob.failureReason !== null && <div className="error-text">{latestJob.failureReason}</div>}
          {latestJob.status === 'COMPLETED' && latestJob.modelArtifact !== null && (
            <div className="muted">
              Produced {latestJob.modelArtifact.version}:{' '}
              {(latestJob.report as { decision?: string } | null)?.decision === 'activated'
                ? 'better on average precision, activated'
                : 'not better, waiting for you'}
            </div>
          )}
        </div>
      )}
      {models.isError && (
        <p className="error-box" role="alert">
          {models.error.message}
        </p>
      )}
      {versions.length === 0 ? (
        <p className="muted">No registered versions yet. Label anomalies in the queue, then retrain.</p>
      ) : (
        <table className="models-table" aria-label="Model versions">
          <thead>
            <tr>
              <th>Metric</th>
              {versions.map((v) => (
                <th key={v.id} className="num" data-active={v.isActive}>
                  {v.version} {v.isActive && <span className="badge">active</span>}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {METRICS.map((m) => (
              <tr key={m.key}>
                <td>{m.label}</td>
                {versions.map((v) => (
                  <td key={v.id} className="num">
                    {figure(v.metrics[m.key], m.digits)}
                  </td>
                ))}
              </tr>
            ))}
            <tr>
              <td className="muted">Registered</td>
              {versions.map((v) => (
                <td key={v.id} className="num muted">
                  {formatTime(v.createdAt)}
                </td>
              ))}
            </tr>
            <tr>
              <td />
              {versions.map((v) => (
                <td key={v.id} className="num">
                  {!v.isActive && (
                    <span className="version-actions">
                      <button
                        type="button"
                        aria-expanded={previewing === v.id}
                        aria-controls={previewing === v.id ? 'candidate-preview' : undefined}
                        onClick={() => setPreviewing(previewing === v.id ? null : v.id)}
                        title="The alert queue before and after activating this version"
                      >
                        Preview
                      </button>
                      <button type="button" disabled={busy || manageReason !== null} title={manageReason ?? undefined} onClick={() => activateVersion(v)}>
                        {v.activatedAt === null ? 'Activate' : 'Roll back to'}
                      </button>
                    </span>
                  )}
                </td>
              ))}
            </tr>
          </tbody>
        </table>
      )}
      {previewed !== undefined && (
        <CandidatePreview
          key={previewed.id}
          modelId={previewed.id}
          version={previewed.version}
          activateLabel={`${previewed.activatedAt === null ? 'Activate' : 'Roll back to'} ${previewed.version}`}
          onActivate={() => activateVersion(previewed)}
          busy={busy}
          activateReason={manageReason}
          onClose={() => setPreviewing(null)}
        />
      )}
    </section>
  )
}
