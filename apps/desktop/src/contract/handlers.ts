import type { LabelKind } from '@anomalyze/shared'
import type { CoreArgs, CoreData, CoreMethod } from './core-methods.ts'
import type { CoreResult } from './result.ts'

// The method table lives in core-methods.ts; these names stay importable from here.
export { CORE_METHODS, isCoreMethod, type CoreArgs, type CoreData, type CoreHandlers, type CoreMethod } from './core-methods.ts'

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
