import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef, useState } from 'react'
import { useTRPC } from '../api/server-api.ts'
import { formatTime } from '../format.ts'
import { RoleNote } from '../components/RoleNote.tsx'
import { usePermission } from '../hooks/useProfile.ts'
import { useServerOnline } from '../hooks/useServerOnline.ts'
import { ActivateDialog, type DialogVersion } from './ActivateDialog.tsx'
import { AutoActivateToggle } from './AutoActivateToggle.tsx'
import { FIGURE_ROWS, figuresOf, formatFigure } from './model-metrics.ts'
import { reviewStateOf, DECISION_TEXT, type JobReport } from './review-state.ts'

const STATUS_TEXT = { QUEUED: 'Queued', PROCESSING: 'Training', COMPLETED: 'Done', FAILED: 'Failed' } as const

interface Version {
  id: string
  version: string
  isActive: boolean
  activatedAt: number | null
  createdAt: number
  metrics: Record<string, unknown>
  shippedDefault?: boolean
}

/** The shipped default as a row of its own (ids are the server's: 'shipped-default'). */
const SHIPPED_DEFAULT: Omit<Version, 'isActive'> = {
  id: 'shipped-default',
  version: 'default',
  activatedAt: null,
  createdAt: 0,
  metrics: {},
  shippedDefault: true,
}

/**
 * The server lists the shipped default among the versions; an older server does not,
 * and the analyst must still see it and be able to go back to it.
 */
function withShippedDefault(data: { activeVersion: string; versions: Version[] } | undefined): Version[] {
  if (data === undefined) return []
  if (data.versions.some((v) => v.shippedDefault === true || v.version === 'default')) return data.versions
  return [...data.versions, { ...SHIPPED_DEFAULT, isActive: data.activeVersion === 'default' }]
}

const labelOf = (v: { version: string; shippedDefault?: boolean }) => (v.shippedDefault === true || v.version === 'default' ? 'shipped default' : v.version)

/**
 * Models (view 4): every version, the shipped default included, one row each with its
 * figures, marked active or waiting for review; Activate (or Roll back to a version
 * active before) opens a confirmation with both versions side by side. Retraining runs
 * on the server; the list refreshes by itself when the run ends. Online only: the
 * registry lives on the server.
 */
export function ModelsView() {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const online = useServerOnline()
  const models = useQuery({ ...trpc.models.list.queryOptions(), enabled: online })
  const jobs = useQuery({
    ...trpc.training.list.queryOptions({ limit: 10 }),
    enabled: online,
    // Polled only while a run is queued or training.
    refetchInterval: (query) => (query.state.data?.some((j) => j.status === 'QUEUED' || j.status === 'PROCESSING') ? 1_000 : false),
  })
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.models.list.queryKey() })
    void queryClient.invalidateQueries({ queryKey: trpc.training.list.queryKey() })
  }
  // When a run ends (a job leaves QUEUED/PROCESSING), the version it registered must
  // appear without a reload.
  const running = jobs.data?.some((j) => j.status === 'QUEUED' || j.status === 'PROCESSING') ?? false
  const wasRunning = useRef(false)
  useEffect(() => {
    if (wasRunning.current && !running) void queryClient.invalidateQueries({ queryKey: trpc.models.list.queryKey() })
    wasRunning.current = running
  }, [running, queryClient, trpc])

  // The version whose activation waits for confirmation (by id), if any.
  const [confirming, setConfirming] = useState<string | null>(null)
  const manageReason = usePermission('models:manage').reason
  const done = { onSuccess: () => setConfirming(null), onSettled: refresh }
  const activate = useMutation(trpc.models.activate.mutationOptions(done))
  const rollback = useMutation(trpc.models.rollback.mutationOptions(done))
  const train = useMutation(trpc.training.start.mutationOptions({ onSettled: refresh }))

  if (!online)
    return (
      <p className="empty-box" data-testid="models-offline">
        Model versions live on the server: sign in and go online to manage them.
      </p>
    )

  const versions = withShippedDefault(models.data)
  const active = versions.find((v) => v.isActive)
  const latestJob = jobs.data?.[0]
  const busy = activate.isPending || rollback.isPending
  const switchError = activate.error ?? rollback.error
  const candidate = versions.find((v) => v.id === confirming && !v.isActive)
  const verbFor = (v: Version) => (v.activatedAt === null || v.shippedDefault === true ? 'Activate' : 'Roll back to')
  /** Activate a never-active version or the shipped default; roll back to one active before. */
  const confirm = (v: Version) => (verbFor(v) === 'Activate' ? activate : rollback).mutate({ version: v.version })
  // "Roll back" goes to the version active most recently before this one.
  const previous = versions.filter((v) => !v.isActive && v.activatedAt !== null).sort((a, b) => (b.activatedAt ?? 0) - (a.activatedAt ?? 0))[0]
  const dialogVersion = (v: Version): DialogVersion => ({ id: v.id, version: v.version, label: labelOf(v), metrics: v.metrics })

  return (
    <section className="models-view" data-testid="models-view">
      <h2>Models</h2>
      <p className="muted">
        Active: <strong data-testid="active-version">{models.data?.activeVersion ?? '…'}</strong>
        {models.data?.activeVersion === 'default' && ' (the model shipped with Anomalyze)'}. Desktops pick up the active version on their next sync.
      </p>
      <div className="models-actions">
        <button type="button" disabled={manageReason !== null || train.isPending || running} title={manageReason ?? undefined} onClick={() => train.mutate()}>
          Retrain on labels
        </button>
        <button
          type="button"
          disabled={manageReason !== null || busy || previous === undefined}
          onClick={() => previous !== undefined && setConfirming(previous.id)}
          title={manageReason ?? (previous === undefined ? 'No other version was active before this one' : `Go back to ${labelOf(previous)}, active before`)}
        >
          Roll back
        </button>
        <AutoActivateToggle manageReason={manageReason} />
      </div>
      <RoleNote reason={manageReason} />
      {train.error !== null && (
        <p className="error-text" role="alert">
          {train.error.message}
        </p>
      )}
      {latestJob !== undefined && (
        <div className="training-job" data-testid="training-job" data-status={latestJob.status}>
          Latest training ({formatTime(latestJob.createdAt)}, {latestJob.trigger === 'MANUAL' ? 'manual' : 'after new labels'}): {STATUS_TEXT[latestJob.status]}
          {latestJob.status === 'PROCESSING' && <progress aria-label="Training progress" max={100} value={latestJob.progress} />}
          {latestJob.failureReason !== null && <div className="error-text">{latestJob.failureReason}</div>}
          {latestJob.status === 'COMPLETED' && latestJob.modelArtifact !== null && (
            <div className="muted" data-testid="training-decision">
              Produced {latestJob.modelArtifact.version}:{' '}
              {DECISION_TEXT[(latestJob.report as JobReport | null)?.decision ?? 'unknown'] ?? DECISION_TEXT.unknown}
            </div>
          )}
        </div>
      )}
      {models.isError && (
        <p className="error-box" role="alert">
          {models.error.message}
        </p>
      )}
      <table className="models-table version-rows" aria-label="Model versions">
        <thead>
          <tr>
            <th>Version</th>
            {FIGURE_ROWS.map((f) => (
              <th key={f.key} className="num">
                {f.label}
              </th>
            ))}
            <th>Registered</th>
            <th aria-label="Actions" />
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => {
            const figures = figuresOf(v.metrics)
            const review = reviewStateOf(v, jobs.data ?? [])
            return (
              <tr key={v.id} data-version={v.version} data-active={v.isActive} data-testid="version-row">
                <td>
                  <strong>{labelOf(v)}</strong> {v.isActive && <span className="badge badge-active">active</span>}
                  {review !== null && (
                    <div className={`review-state review-${review.kind}`} data-testid="review-state">
                      {review.text}
                    </div>
                  )}
                </td>
                {FIGURE_ROWS.map((f) => (
                  <td key={f.key} className="num">
                    {formatFigure(figures[f.key], f.digits)}
                  </td>
                ))}
                <td className="muted">{v.shippedDefault === true ? 'with the app' : formatTime(v.createdAt)}</td>
                <td className="num">
                  {!v.isActive && (
                    <button
                      type="button"
                      aria-label={`${verbFor(v)} ${labelOf(v)}`}
                      disabled={busy || manageReason !== null}
                      title={manageReason ?? undefined}
                      onClick={() => setConfirming(v.id)}
                    >
                      {verbFor(v)}
                    </button>
                  )}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
      {versions.length <= 1 && <p className="muted">No retrained version yet. Label anomalies in the queue, then retrain.</p>}
      {candidate !== undefined && active !== undefined && (
        <ActivateDialog
          key={candidate.id}
          active={dialogVersion(active)}
          candidate={dialogVersion(candidate)}
          verb={verbFor(candidate)}
          busy={busy}
          error={switchError?.message ?? null}
          onConfirm={() => confirm(candidate)}
          onCancel={() => {
            activate.reset()
            rollback.reset()
            setConfirming(null)
          }}
        />
      )}
    </section>
  )
}
