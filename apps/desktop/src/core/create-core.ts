import { join } from 'node:path'
import type { ConsoleConfig, CoreHandlers } from '../contract/handlers.ts'
import { createHandlers } from './api/create-handlers.ts'
import { createScoringService, type ActiveLocalModel, type ScoringService } from './scoring/scoring-service.ts'
import { openLocalStore, type LocalStore } from './store/local-store.ts'
import { followActiveModel, loadLocalModel, rescoreWithActiveModel } from './models/local-model.ts'
import type { TokenProtector } from './session/token-protector.ts'
import { createServerClient, type ServerClientFactory } from './sync/server-client.ts'
import { SyncEngine } from './sync/sync-engine.ts'
import { ensurePrivateDir } from '@anomalyze/shared/node'

export interface CoreOptions {
  /** Folder for the SQLite cache (Electron: userData; CLI: --data-dir). */
  dataDir: string
  createClient?: ServerClientFactory
  /** Background sync period; 0 turns it off (tests). */
  autoSyncMs?: number
  /** Scoring model override (tests); default: the shipped default model. */
  loadModel?: () => Promise<ActiveLocalModel>
  /** How the session token rests on disk; Electron passes the OS keychain. */
  tokenProtector?: TokenProtector
  /** Sign-in settings shown to the renderer (Clerk key, default server). */
  config?: Partial<ConsoleConfig>
  /**
   * The alert writer's worker entry (core/scoring/alert-writer-worker.mjs) where a bundle
   * copied it; default: beside alert-writer.ts, as in the source tree.
   */
  alertWriterWorker?: URL
}

export interface Core {
  handlers: CoreHandlers
  store: LocalStore
  sync: SyncEngine
  scoring: ScoringService
  /**
   * Lets the core read ('read') or write ('write') a path the analyst picked in a native
   * dialog; Electron's main process calls it when its dialog returns. Nothing else
   * outside the data dir is read or written (uploads and exports stay inside it).
   */
  allowPath(path: string, use: 'read' | 'write'): void
  close(): Promise<void>
}

/** The folders of a data dir, all owner-only (0700): they hold customer data. */
export function coreDirs(dataDir: string): { dataDir: string; uploads: string; exports: string; models: string; scoredRows: string } {
  return {
    dataDir,
    uploads: join(dataDir, 'uploads'),
    exports: join(dataDir, 'exports'),
    models: join(dataDir, 'models'),
    // Named by store/local-batches.ts (scoredRowsPath): beside the cache file.
    scoredRows: join(dataDir, 'scored-rows'),
  }
}

/** Everything the console runs on, with no Electron in sight: shared by main, CLI and tests. */
export function createCore(options: CoreOptions): Core {
  const dirs = coreDirs(options.dataDir)
  // Created (or tightened) 0700 up front, so files written later by any module land in
  // owner-only folders whatever that module's own mode handling.
  for (const dir of Object.values(dirs)) ensurePrivateDir(dir)
  const store = openLocalStore(join(options.dataDir, 'anomalyze-cache.db'))
  const modelsDir = dirs.models
  // Scoring starts with the account's last synced model (offline too), or the shipped one.
  const scoring = createScoringService({
    store,
    uploadsDir: dirs.uploads,
    exportsDir: dirs.exports,
    ...(options.alertWriterWorker === undefined ? {} : { alertWriterWorker: options.alertWriterWorker }),
    loadModel:
      options.loadModel ?? (() => loadLocalModel(modelsDir, { version: store.state.get('activeModelVersion'), sha256: store.state.get('activeModelSha256') })),
  })
  const sync: SyncEngine = new SyncEngine({
    store,
    createClient: options.createClient ?? createServerClient,
    ...(options.tokenProtector === undefined ? {} : { tokenProtector: options.tokenProtector }),
    // Tests that inject a model keep it; otherwise follow the server's active version.
    ...(options.loadModel !== undefined
      ? {}
      : {
          afterPull: async (progress) => {
            await followActiveModel({
              dir: modelsDir,
              call: (type, path, input) => sync.callServer(type, path, input),
              currentVersion: await scoring.modelVersion(),
              use: (model) => scoring.useModel(model),
            })
            // The queue follows the model: rows scored by another version are re-scored.
            await rescoreWithActiveModel({
              dir: modelsDir,
              store,
              currentVersion: await scoring.modelVersion(),
              now: Date.now(),
              onProgress: (done, total) => progress('rescore', done, total),
            })
          },
        }),
  })
  const config: ConsoleConfig = {
    clerkPublishableKey: options.config?.clerkPublishableKey ?? null,
    defaultServerUrl: options.config?.defaultServerUrl ?? null,
  }
  const handlers = createHandlers({ store, sync, scoring, config })
  let timer: NodeJS.Timeout | undefined
  if ((options.autoSyncMs ?? 0) > 0) {
    timer = setInterval(() => {
      if (sync.status().signedIn) void sync.syncNow()
    }, options.autoSyncMs)
    timer.unref()
  }
  return {
    handlers,
    store,
    sync,
    scoring,
    allowPath: (path, use) => scoring.allowPath(path, use),
    close: async () => {
      clearInterval(timer)
      sync.stopScheduledPushes()
      await scoring.close()
      store.close()
    },
  }
}
