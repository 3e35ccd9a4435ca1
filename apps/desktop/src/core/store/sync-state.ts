import type Database from 'better-sqlite3'

export const SYNC_KEYS = [
  'cursor',
  'lastSyncedAt',
  'serverTotal',
  'activeModelVersion',
  'activeModelSha256',
  'serverUrl',
  'token',
  'user',
  // Index and trigger definitions set aside while a large sync loads (bulk-load.ts).
  'bulkLoadDdl',
  // Summary of the last re-score after a model change (ModelChangeSummary as JSON).
  'modelChange',
  // The organisation whose anomalies the cache holds, and the person whose decisions the
  // outbox holds (kept after sign-out): a sign-in as someone else checks both.
  'cacheOrgId',
  'outboxOwner',
  // The case pull's own cursor (cases.pull), apart from the anomaly pull's.
  'caseCursor',
] as const
export type SyncKey = (typeof SYNC_KEYS)[number]

export interface SyncStateStore {
  get(key: SyncKey): string | null
  set(key: SyncKey, value: string | null): void
}

export function createSyncStateStore(db: Database.Database): SyncStateStore {
  const read = db.prepare<[string], { value: string | null }>('SELECT value FROM sync_state WHERE key = ?')
  const write = db.prepare<[string, string | null]>('INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
  return {
    get: (key) => read.get(key)?.value ?? null,
    set: (key, value) => {
      write.run(key, value)
    },
  }
}
