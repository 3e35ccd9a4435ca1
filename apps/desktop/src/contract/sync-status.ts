/** Where the local cache stands against the server, for the status bar. */
export const SYNC_STATES = ['signed-out', 'idle', 'syncing', 'offline', 'error'] as const
export type SyncState = (typeof SYNC_STATES)[number]

/** What re-scoring the local queue with a newly active model did (status bar summary). */
export interface ModelChangeSummary {
  /** Model the rows were scored with before (the most common one), null if unknown. */
  from: string | null
  to: string
  at: number
  /** Rows re-scored (those with a feature vector from the server). */
  rescored: number
  /** Rows whose severity changed: up + down + dropped. */
  moved: number
  up: number
  /** Down, still at or above the alert threshold. */
  down: number
  /** Down from an alert (MEDIUM or above) to below the alert threshold (LOW). */
  dropped: number
}

export interface SyncStatus {
  state: SyncState
  serverUrl: string | null
  signedIn: boolean
  user: { id: string; email: string | null; name: string | null } | null
  lastSyncedAt: number | null
  /** Decisions recorded locally and not yet accepted by the server. */
  pending: number
  /** Decisions the server refused (kept for the analyst to see, never retried). */
  rejected: number
  /**
   * Decisions of this analyst that another person's, made first, overrules (push
   * outcome `conflict`): kept in the server's history, shown on each alert.
   */
  conflicts: number
  /** pull/push: rows moved; rescore: local rows re-scored with a new active model. */
  progress: { phase: 'pull' | 'push' | 'rescore'; done: number; total: number } | null
  activeModelVersion: string | null
  /** The last re-score of the local queue after a model change, if any. */
  modelChange: ModelChangeSummary | null
  /** Anomalies synced from the server into the local cache (offline batches excluded). */
  cachedAnomalies: number
  /** Last failure, in words an analyst can act on. */
  error: string | null
  /** How the session token is kept at rest: OS keychain (Electron) or file permissions. */
  sessionProtection: 'os-keychain' | 'file-permissions'
}
