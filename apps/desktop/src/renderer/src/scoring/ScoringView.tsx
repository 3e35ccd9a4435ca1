import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useState, type DragEvent } from 'react'
import { mappingErrors } from '../../../contract/mapping-errors.ts'
import type { CsvInspection, FieldMapping, ScoringJob, ScoringSource } from '../../../contract/scoring.ts'
import { bridge, callCore } from '../api/core-client.ts'
import { RoleNote } from '../components/RoleNote.tsx'
import { usePermission } from '../hooks/useProfile.ts'
import { BadRowsList } from './BadRowsList.tsx'
import { BatchList } from './BatchList.tsx'
import { ExportButton } from './ExportButton.tsx'
import { MappingEditor } from './MappingEditor.tsx'
import { ServerBatchJobs } from './ServerBatchJobs.tsx'
import { toScoringSource } from './upload-file.ts'
import { UploadBatchJob } from './UploadBatchJob.tsx'

type Step =
  | { kind: 'pick' }
  | { kind: 'uploading'; name: string; fraction: number }
  | { kind: 'mapping'; source: ScoringSource; inspection: CsvInspection; mapping: FieldMapping; name: string }
  | { kind: 'scoring'; jobId: string }

/**
 * Flow 4: score a file on this machine. Open or drop a CSV, check the column mapping
 * (auto-detected, or the one confirmed last time for these headers), watch progress,
 * then triage the rows in the queue as a local batch. Nothing is sent to the server
 * unless the analyst asks for a batch job on the server (and confirms).
 */
export function ScoringView({ onOpenBatch }: { onOpenBatch: (batchId: string) => void }) {
  const availability = useQuery({ queryKey: ['scoring.availability'], queryFn: () => callCore('scoring.availability', {}) })
  const [step, setStep] = useState<Step>({ kind: 'pick' })
  const [error, setError] = useState<string | null>(null)
  const [dragging, setDragging] = useState(false)

  const open = async (getSource: () => Promise<ScoringSource | null>): Promise<void> => {
    setError(null)
    try {
      const source = await getSource()
      if (source === null) {
        setStep({ kind: 'pick' })
        return
      }
      const inspection = await callCore('scoring.inspect', { source })
      setStep({ kind: 'mapping', source, inspection, mapping: inspection.mapping, name: inspection.fileName })
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
      setStep({ kind: 'pick' })
    }
  }
  const openFile = (file: File): Promise<void> =>
    open(() => {
      setStep({ kind: 'uploading', name: file.name, fraction: 0 })
      return toScoringSource(file, (fraction) => setStep({ kind: 'uploading', name: file.name, fraction }))
    })
  const chooseFile = bridge.chooseFile
  const onDrop = (event: DragEvent): void => {
    event.preventDefault()
    setDragging(false)
    const file = event.dataTransfer.files[0]
    if (file !== undefined) void openFile(file)
  }

  const scoreReason = usePermission('ingest:write').reason
  if (availability.isPending) return <p className="empty-box">Loading the scoring model…</p>
  if (availability.isError) return <p className="error-box">{availability.error.message}</p>
  if (!availability.data.available) {
    return (
      <section className="empty-box waiting" data-testid="scoring-waiting">
        <h2>Score a file on this machine</h2>
        <p>
          <strong>Not available.</strong> {availability.data.reason}
        </p>
      </section>
    )
  }

  return (
    <section className="scoring-view" data-testid="scoring-view">
      <h2>Score a file on this machine</h2>
      <p className="muted">
        Model {availability.data.modelVersion}. The file is read and scored here; nothing is sent to the server unless you upload it as a batch job.
      </p>
      <RoleNote reason={scoreReason} />
      {error !== null && (
        <p className="error-box" role="alert">
          {error}
        </p>
      )}
      {step.kind === 'pick' && (
        <div
          className={`drop-zone${dragging ? ' dragging' : ''}`}
          data-testid="drop-zone"
          onDragOver={(e) => {
            e.preventDefault()
            setDragging(true)
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
        >
          <p>Drop a CSV here, or</p>
          {chooseFile !== undefined ? (
            <button
              type="button"
              onClick={() =>
                void open(async () => {
                  const path = await chooseFile('open-csv')
                  return path === null ? null : { path }
                })
              }
            >
              Choose a CSV file…
            </button>
          ) : (
            <label className="file-button">
              Choose a CSV file…
              <input
                type="file"
                accept=".csv,text/csv,text/plain"
                aria-label="CSV file"
                onChange={(e) => {
                  const file = e.target.files?.[0]
                  e.target.value = ''
                  if (file !== undefined) void openFile(file)
                }}
              />
            </label>
          )}
        </div>
      )}
      {step.kind === 'uploading' && (
        <div>
          <p>Reading {step.name} into the local core…</p>
          <progress aria-label="Upload progress" max={1} value={step.fraction} />
        </div>
      )}
      {step.kind === 'mapping' && (
        <MappingStep
          step={step}
          onChange={(patch) => setStep({ ...step, ...patch })}
          onCancel={() => setStep({ kind: 'pick' })}
          onStarted={(job) => setStep({ kind: 'scoring', jobId: job.jobId })}
          onError={setError}
        />
      )}
      {step.kind === 'scoring' && <JobProgress jobId={step.jobId} onOpenBatch={onOpenBatch} onAnother={() => setStep({ kind: 'pick' })} />}
      <BatchList onOpenBatch={onOpenBatch} />
      <ServerBatchJobs />
    </section>
  )
}

function MappingStep({
  step,
  onChange,
  onCancel,
  onStarted,
  onError,
}: {
  step: Extract<Step, { kind: 'mapping' }>
  onChange: (patch: { mapping?: FieldMapping; name?: string }) => void
  onCancel: () => void
  onStarted: (job: ScoringJob) => void
  onError: (message: string | null) => void
}) {
  const [starting, setStarting] = useState(false)
  const scoreReason = usePermission('ingest:write').reason
  const { inspection } = step
  const problems = mappingErrors(step.mapping, inspection.headers.length)
  const start = async (): Promise<void> => {
    setStarting(true)
    onError(null)
    try {
      onStarted(await callCore('scoring.start', { source: step.source, mapping: step.mapping, name: step.name }))
    } catch (e) {
      onError(e instanceof Error ? e.message : String(e))
    } finally {
      setStarting(false)
    }
  }
  return (
    <div className="mapping-step" data-testid="mapping-step">
      <p>
        <strong>{inspection.fileName}</strong> · {(inspection.sizeBytes / 1e6).toFixed(1)} MB · {inspection.headers.length} columns ·{' '}
        {inspection.remembered ? 'mapping you confirmed before for these columns' : 'mapping detected from the column names'}
      </p>
      <MappingEditor inspection={inspection} mapping={step.mapping} onChange={(mapping) => onChange({ mapping })} />
      {problems.length > 0 && (
        <ul className="error-box" aria-label="Mapping problems">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <label className="batch-name-field">
        Batch name <input aria-label="Batch name" title={step.name} value={step.name} maxLength={200} onChange={(e) => onChange({ name: e.target.value })} />
      </label>
      <div className="actions">
        <button
          type="button"
          className="primary"
          disabled={problems.length > 0 || starting || scoreReason !== null}
          title={scoreReason ?? undefined}
          onClick={() => void start()}
        >
          Score on this machine
        </button>
        <button type="button" onClick={onCancel}>
          Choose another file
        </button>
      </div>
      {/* The one way this file leaves the machine: the analyst asks, then confirms. */}
      <UploadBatchJob source={step.source} mapping={step.mapping} fileName={step.name} sizeBytes={inspection.sizeBytes} blocked={problems.length > 0} />
    </div>
  )
}

function JobProgress({ jobId, onOpenBatch, onAnother }: { jobId: string; onOpenBatch: (batchId: string) => void; onAnother: () => void }) {
  const queryClient = useQueryClient()
  const job = useQuery({
    queryKey: ['scoring.job', jobId],
    queryFn: async () => {
      const data = await callCore('scoring.job', { jobId })
      if (data.state === 'done') void queryClient.invalidateQueries({ queryKey: ['scoring.batches'] })
      return data
    },
    refetchInterval: (q) => (q.state.data === undefined || q.state.data.state === 'running' ? 250 : false),
  })
  if (job.data === undefined) return <p>Starting…</p>
  const j = job.data
  return (
    <div className="job-progress" data-testid="job-progress" data-state={j.state}>
      <p>
        {/* Every row read is accounted for: scored + bad = read, and the bad ones by line. */}
        <strong>{j.name}</strong>: <span data-testid="rows-read">{j.rowsRead.toLocaleString()}</span> {j.rowsRead === 1 ? 'row' : 'rows'} read:{' '}
        {j.scored.toLocaleString()} rows scored, <span data-testid="alert-count">{j.alerts.toLocaleString()}</span> {j.alerts === 1 ? 'alert' : 'alerts'}
        {j.badRowCount > 0 && (
          <>
            , <span data-testid="bad-row-count">{j.badRowCount.toLocaleString()}</span> bad (
            {badLinesText(
              j.badRows.map((b) => b.line),
              j.badRowCount,
            )}
            , listed below)
          </>
        )}
        {j.state === 'running' && ` · ${(j.fraction * 100).toFixed(0)}%`}
        {j.state === 'done' && ' · done'}
        {j.state === 'cancelled' && ' · cancelled: nothing from this file was kept'}
      </p>
      <progress aria-label="Scoring progress" max={1} value={j.fraction} />
      {j.state === 'done' && (
        <p className="muted" data-testid="alert-rule">
          The queue gets the alerts: rows at or above the model's MEDIUM threshold or with a rule fired, as on the server. The export has every scored row.
        </p>
      )}
      {j.state === 'failed' && (
        <p className="error-box" role="alert">
          Scoring failed: {j.error}
        </p>
      )}
      <div className="actions">
        {j.state === 'running' && (
          <button type="button" onClick={() => void callCore('scoring.cancel', { jobId }).then(() => job.refetch())}>
            Cancel
          </button>
        )}
        {j.state === 'done' && (
          <>
            {j.alerts > 0 ? (
              <button type="button" className="primary" onClick={() => onOpenBatch(j.batchId)}>
                Triage {j.alerts.toLocaleString()} {j.alerts === 1 ? 'alert' : 'alerts'} in the queue
              </button>
            ) : (
              <button type="button" onClick={() => onOpenBatch(j.batchId)}>
                Open in queue
              </button>
            )}
            <ExportButton batchId={j.batchId} name={j.name} />
          </>
        )}
        {j.state !== 'running' && (
          <button type="button" onClick={onAnother}>
            Score another file
          </button>
        )}
      </div>
      {j.state === 'done' && j.badRowCount > 0 ? (
        <BadRowsList batchId={j.batchId} />
      ) : (
        j.badRows.length > 0 && <BadRowsList rows={j.badRows} total={j.badRowCount} />
      )}
    </div>
  )
}

/** "line 13", "lines 13, 20 and 27", "lines 13, 20, 27, 31, 40 and 12 more". */
function badLinesText(lines: readonly number[], total: number): string {
  const shown = lines.slice(0, 5).map((l) => l.toLocaleString())
  const more = total - shown.length
  if (shown.length === 0) return `${total.toLocaleString()} ${total === 1 ? 'line' : 'lines'}`
  if (more > 0) return `lines ${shown.join(', ')} and ${more.toLocaleString()} more`
  if (shown.length === 1) return `line ${shown[0] as string}`
  return `lines ${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1] as string}`
}
