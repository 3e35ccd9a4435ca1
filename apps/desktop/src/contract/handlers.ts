import type { LabelKind } from '@anomalyze/shared'
import type { Dashboard } from './dashboard.ts'
import type { AnomalyDetail, HistoryPoint, QueueFacets, QueueHead, QueueHeadArgs, QueueQuery, QueueRow, QueueSnapshot } from './queue.ts'
import type { CoreResult } from './result.ts'
import type { BadRowsPage, CsvInspection, LocalBatch, ScoringAvailability, ScoringJob, ScoringSource, StartScoringArgs } from './scoring.ts'
import type { SyncStatus } from './sync-status.ts'
import type { UploadBatchArgs, UploadedBatchJob, UploadProgress } from './upload.ts'

export interface DecideArgs {
  anomalyIds: string[]
  label: LabelKind
  note?: string
}

export interface DecideResult {
  /** Groups the decisions of one action so that undo takes them back together. */
  actionId: string
  decided: number
}

export interface UndoResult {
  /** Anomalies whose status went back; 0 when there was nothing to undo. */
  restored: number
  anomalyIds: string[]
}

/** One tRPC procedure of the server, forwarded by the core with the stored session. */
export interface ServerCallArgs {
  type: 'query' | 'mutation'
  /** Dotted procedure path, e.g. "billing.overview". */
  path: string
  input?: unknown
}

/** What the console was started with (not secrets): decides the sign-in screen. */
export interface ConsoleConfig {
  /** Clerk publishable key when the organisation signs in with Clerk; null = server's local mode. */
  clerkPublishableKey: string | null
  /** Server to offer on the sign-in screen. */
  defaultServerUrl: string | null
}

/**
 * Where 'scoring.export' writes: a path from the native save dialog (which asked about
 * overwriting), or a plain file name (no folders, no "..") inside `<data dir>/exports/`,
 * which replaces an existing file only with `overwrite: true`.
 */
export type ExportArgs = { batchId: string; path: string } | { batchId: string; fileName: string; overwrite?: boolean }

export interface SignInArgs {
  serverUrl: string
  token: string
}

/**
 * The one contract between renderer and core: method name -> (args) -> result.
 * Electron carries it over IPC, the browser build over `POST /api/<method>`.
 * @see src/core/api/create-handlers.ts for the implementation.
 */
export interface CoreMethods {
  'queue.snapshot': (args: QueueQuery) => QueueSnapshot
  'queue.head': (args: QueueHeadArgs) => QueueHead
  'queue.rows': (args: { keys: number[] }) => QueueRow[]
  'queue.facets': (args: Record<string, never>) => QueueFacets
  'anomaly.get': (args: { id: string }) => AnomalyDetail
  'account.history': (args: { accountId: string; limit?: number }) => HistoryPoint[]
  'decision.record': (args: DecideArgs) => DecideResult
  'decision.undo': (args: Record<string, never>) => UndoResult
  'dashboard.get': (args: { batchId?: string | null }) => Dashboard
  'sync.status': (args: Record<string, never>) => SyncStatus
  'sync.now': (args: Record<string, never>) => SyncStatus
  'session.signIn': (args: SignInArgs) => SyncStatus
  'session.signOut': (args: Record<string, never>) => SyncStatus
  /** Replaces the stored token of the current session (Clerk tokens live a minute). */
  'session.refreshToken': (args: { token: string }) => SyncStatus
  'app.config': (args: Record<string, never>) => ConsoleConfig
  'scoring.availability': (args: Record<string, never>) => ScoringAvailability
  'scoring.inspect': (args: { source: ScoringSource }) => CsvInspection
  'scoring.start': (args: StartScoringArgs) => ScoringJob
  'scoring.job': (args: { jobId: string }) => ScoringJob
  'scoring.cancel': (args: { jobId: string }) => ScoringJob
  'scoring.batches': (args: Record<string, never>) => LocalBatch[]
  'scoring.badRows': (args: { batchId: string; offset?: number; limit?: number }) => BadRowsPage
  /**
   * Writes the scored CSV to a path the analyst picked in Electron's save dialog, or
   * under a file name into the console's exports folder (the browser downloads
   * GET /download/batches/<id>.csv instead). Any other path is refused.
   */
  'scoring.export': (args: ExportArgs) => { path: string; rows: number }
  /** Streams the opened file to the signed-in server as a batch CSV job (only when the analyst asks). */
  'scoring.uploadBatch': (args: UploadBatchArgs) => UploadedBatchJob
  /** The upload in flight (null when none), polled while 'scoring.uploadBatch' runs. */
  'scoring.uploadProgress': (args: Record<string, never>) => UploadProgress | null
  /** The server's tRPC API for online screens; the renderer's tRPC client goes through it. */
  'server.call': (args: ServerCallArgs) => unknown
}

export type CoreMethod = keyof CoreMethods
export type CoreArgs<M extends CoreMethod> = Parameters<CoreMethods[M]>[0]
export type CoreData<M extends CoreMethod> = ReturnType<CoreMethods[M]>

/** The handler map the core implements: every method async, every failure as data. */
export type CoreHandlers = {
  [M in CoreMethod]: (args: CoreArgs<M>) => Promise<CoreResult<CoreData<M>>>
}

export const CORE_METHODS = [
  'queue.snapshot',
  'queue.head',
  'queue.rows',
  'queue.facets',
  'anomaly.get',
  'account.history',
  'decision.record',
  'decision.undo',
  'dashboard.get',
  'sync.status',
  'sync.now',
  'session.signIn',
  'session.signOut',
  'session.refreshToken',
  'app.config',
  'scoring.availability',
  'scoring.inspect',
  'scoring.start',
  'scoring.job',
  'scoring.cancel',
  'scoring.batches',
  'scoring.badRows',
  'scoring.export',
  'scoring.uploadBatch',
  'scoring.uploadProgress',
  'server.call',
] as const satisfies readonly CoreMethod[]

export function isCoreMethod(value: string): value is CoreMethod {
  return (CORE_METHODS as readonly string[]).includes(value)
}

/** What the preload exposes as `window.anomalyze` (and what the HTTP transport mimics). */
export interface AnomalyzeBridge {
  platform: 'electron' | 'web'
  call<M extends CoreMethod>(method: M, args: CoreArgs<M>): Promise<CoreResult<CoreData<M>>>
  /** Electron only: native open/save dialogs (null when the analyst cancels). */
  chooseFile?(kind: 'open-csv' | 'save-csv', suggestedName?: string): Promise<string | null>
  /** Electron only: the on-disk path of a dropped file, so it is read in place, not copied. */
  pathForFile?(file: File): string
  /**
   * Electron only: anomaly ids from anomalyze:// links the OS opened (alert e-mails),
   * including one that arrived before the renderer loaded. Returns an unsubscribe.
   */
  onDeepLink?(listener: (anomalyId: string) => void): () => void
}
