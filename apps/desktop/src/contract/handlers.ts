import type { LabelKind } from '@anomalyze/shared'
import type { Dashboard } from './dashboard.ts'
import type { AnomalyDetail, HistoryPoint, QueueFacets, QueueQuery, QueueRow, QueueSnapshot } from './queue.ts'
import type { CoreResult } from './result.ts'
import type { ScoringAvailability } from './scoring.ts'
import type { SyncStatus } from './sync-status.ts'

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
  'scoring.availability': (args: Record<string, never>) => ScoringAvailability
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
  'scoring.availability',
] as const satisfies readonly CoreMethod[]

export function isCoreMethod(value: string): value is CoreMethod {
  return (CORE_METHODS as readonly string[]).includes(value)
}

/** What the preload exposes as `window.anomalyze` (and what the HTTP transport mimics). */
export interface AnomalyzeBridge {
  platform: 'electron' | 'web'
  call<M extends CoreMethod>(method: M, args: CoreArgs<M>): Promise<CoreResult<CoreData<M>>>
}
