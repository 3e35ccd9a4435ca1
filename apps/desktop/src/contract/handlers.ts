import type { CoreArgs, CoreData, CoreMethod } from './core-methods.ts'
import type { DeepLinkTarget } from './deep-link.ts'
import type { CoreResult } from './result.ts'

// The method table lives in core-methods.ts and the argument and result types it names in
// their own files (decisions.ts, session.ts, scoring.ts), which import nothing from here:
// these names stay importable from here.
export { CORE_METHODS, isCoreMethod, type CoreArgs, type CoreData, type CoreHandlers, type CoreMethod } from './core-methods.ts'
export type { DecideArgs, DecideResult, UndoResult } from './decisions.ts'
export type { ConsoleConfig, ServerCallArgs, SignInArgs } from './session.ts'
export type { ExportArgs } from './scoring.ts'

/** What the preload exposes as `window.anomalyze` (and what the HTTP transport mimics). */
export interface AnomalyzeBridge {
  platform: 'electron' | 'web'
  call<M extends CoreMethod>(method: M, args: CoreArgs<M>): Promise<CoreResult<CoreData<M>>>
  /** Electron only: native open/save dialogs (null when the analyst cancels). */
  chooseFile?(kind: 'open-csv' | 'save-csv', suggestedName?: string): Promise<string | null>
  /** Electron only: the on-disk path of a dropped file, so it is read in place, not copied. */
  pathForFile?(file: File): string
  /**
   * Electron only: what anomalyze:// links the OS opened name (an anomaly from an alert
   * e-mail, a case from a case notice), including one that arrived before the renderer
   * loaded. Returns an unsubscribe.
   */
  onDeepLink?(listener: (target: DeepLinkTarget) => void): () => void
}
