import { join } from 'node:path'
import type { CoreHandlers } from '../contract/handlers.ts'
import { createHandlers } from './api/create-handlers.ts'
import type { ScoringEngine } from './scoring/scoring-engine.ts'
import { openLocalStore, type LocalStore } from './store/local-store.ts'
import { createServerClient, type ServerClientFactory } from './sync/server-client.ts'
import { SyncEngine } from './sync/sync-engine.ts'

export interface CoreOptions {
  /** Folder for the SQLite cache (Electron: userData; CLI: --data-dir). */
  dataDir: string
  createClient?: ServerClientFactory
  /** Background sync period; 0 turns it off (tests). */
  autoSyncMs?: number
}

export interface Core {
  handlers: CoreHandlers
  store: LocalStore
  sync: SyncEngine
  close(): void
}

/** Everything the console runs on, with no Electron in sight: shared by main, CLI and tests. */
export function createCore(options: CoreOptions): Core {
  const store = openLocalStore(join(options.dataDir, 'anomalyze-cache.db'))
  const sync = new SyncEngine({ store, createClient: options.createClient ?? createServerClient })
  // Scoring stays null until the detection engine is wired (see scoring-engine.ts).
  const scoring: ScoringEngine | null = null
  const handlers = createHandlers({ store, sync, scoring })
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
    close: () => {
      clearInterval(timer)
      store.close()
    },
  }
}
