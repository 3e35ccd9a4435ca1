import type { ModelChangeSummary, SyncStatus } from '../../../contract/sync-status.ts'
import { useSyncStatus } from '../hooks/useSyncStatus.ts'
import { useSyncActions } from '../hooks/useSyncActions.ts'
import { formatAgo } from '../format.ts'

const STATE_LABEL: Record<SyncStatus['state'], string> = {
  'signed-out': 'Not signed in (local only)',
  idle: 'Online',
  syncing: 'Syncing…',
  offline: 'Offline — working from the local cache',
  error: 'Sync error',
}

const PHASE_LABEL: Record<NonNullable<SyncStatus['progress']>['phase'], string> = {
  pull: 'Pulling',
  push: 'Pushing',
  rescore: 'Re-scoring with the new model',
}

/** "Model 1.3.0: 37 alerts moved, 12 down, 25 up" (dropped below the threshold counts as down). */
export function modelChangeLine(c: ModelChangeSummary): string {
  return `Model ${c.to}: ${c.moved.toLocaleString()} ${c.moved === 1 ? 'alert' : 'alerts'} moved, ${(c.down + c.dropped).toLocaleString()} down, ${c.up.toLocaleString()} up`
}

function modelChangeTitle(c: ModelChangeSummary): string {
  return `${c.rescored.toLocaleString()} rows re-scored${c.from === null ? '' : ` (were scored by ${c.from})`}; ${c.dropped.toLocaleString()} dropped below the alert threshold. Filter the queue with “Moved by the last model change”.`
}

/** Where pending changes stand: not sent yet, on their way, or held back (offline, signed out). */
function pendingTitle(s: SyncStatus): string | undefined {
  if (s.pending === 0) return undefined
  if (!s.signedIn) return 'Kept on this computer: sign in to send them to the server.'
  if (s.state === 'syncing') return 'Being sent to the server now.'
  if (s.state === 'offline' || s.state === 'error') return 'Not sent: the server cannot be reached now. They are sent again shortly, and with the next sync.'
  return 'Sent to the server a moment after your last decision.'
}

export function StatusBar() {
  const status = useSyncStatus()
  const { syncNow } = useSyncActions()
  if (status.isError) {
    return (
      <footer className="status-bar status-error" role="status">
        Local core unavailable: {status.error.message}
      </footer>
    )
  }
  const s = status.data
  if (s === undefined)
    return (
      <footer className="status-bar" role="status">
        Starting…
      </footer>
    )
  return (
    <footer className={`status-bar status-${s.state}`} role="status" data-testid="status-bar">
      <span className="status-dot" aria-hidden />
      <span data-testid="sync-state">{STATE_LABEL[s.state]}</span>
      {s.progress !== null && (
        <span className="status-progress">
          {PHASE_LABEL[s.progress.phase]} {s.progress.done.toLocaleString()} / {s.progress.total.toLocaleString()}
          <progress max={Math.max(s.progress.total, 1)} value={s.progress.done} />
        </span>
      )}
      <span>Last synced: {s.lastSyncedAt === null ? 'never' : formatAgo(s.lastSyncedAt)}</span>
      <span data-testid="pending-count" className={s.pending > 0 ? 'status-pending' : undefined} title={pendingTitle(s)}>
        {s.pending} pending {s.pending === 1 ? 'change' : 'changes'}
      </span>
      {s.signedIn && s.pending === 0 && s.lastSyncedAt !== null && s.state !== 'syncing' && <span data-testid="all-synced">✓ all changes on the server</span>}
      {s.rejected > 0 && <span className="status-warn">{s.rejected} refused by the server</span>}
      {s.conflicts > 0 && (
        <span
          className="status-warn"
          data-testid="conflict-count"
          title="A colleague decided these alerts first; your decisions are kept in their history. Filter the queue with “Overruled by a colleague” to see them and reopen one with a note."
        >
          {s.conflicts} {s.conflicts === 1 ? 'decision' : 'decisions'} overruled by a colleague's
        </span>
      )}
      {s.modelChange !== null && s.modelChange.to === (s.activeModelVersion ?? s.modelChange.to) ? (
        <span data-testid="model-change" title={modelChangeTitle(s.modelChange)}>
          {modelChangeLine(s.modelChange)}
        </span>
      ) : (
        s.activeModelVersion !== null && <span>Model {s.activeModelVersion}</span>
      )}
      {s.error !== null && (
        <span className="status-warn" title={s.error}>
          {s.error}
        </span>
      )}
      {s.signedIn && (
        <button type="button" disabled={s.state === 'syncing' || syncNow.isPending} onClick={() => syncNow.mutate()}>
          Sync now
        </button>
      )}
    </footer>
  )
}
