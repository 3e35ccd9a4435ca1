import type { SyncStatus } from '../../../contract/sync-status.ts'
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
  if (s === undefined) return <footer className="status-bar" role="status">Starting…</footer>
  return (
    <footer className={`status-bar status-${s.state}`} role="status" data-testid="status-bar">
      <span className="status-dot" aria-hidden />
      <span data-testid="sync-state">{STATE_LABEL[s.state]}</span>
      {s.progress !== null && (
        <span className="status-progress">
          {s.progress.phase === 'pull' ? 'Pulling' : 'Pushing'} {s.progress.done.toLocaleString()} / {s.progress.total.toLocaleString()}
          <progress max={Math.max(s.progress.total, 1)} value={s.progress.done} />
        </span>
      )}
      <span>Last synced: {s.lastSyncedAt === null ? 'never' : formatAgo(s.lastSyncedAt)}</span>
      <span data-testid="pending-count">{s.pending} pending {s.pending === 1 ? 'change' : 'changes'}</span>
      {s.rejected > 0 && <span className="status-warn">{s.rejected} refused by the server</span>}
      {s.activeModelVersion !== null && <span>Model {s.activeModelVersion}</span>}
      {s.error !== null && <span className="status-warn" title={s.error}>{s.error}</span>}
      {s.signedIn && (
        <button type="button" disabled={s.state === 'syncing' || syncNow.isPending} onClick={() => syncNow.mutate()}>
          Sync now
        </button>
      )}
    </footer>
  )
}
