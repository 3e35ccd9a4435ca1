import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { migrate } from './migrations.ts'
import { ensurePrivateDir, restrictFile, touchPrivateFile } from '@anomalyze/shared/node'

/**
 * How long a connection waits for another one's write to finish before SQLITE_BUSY.
 * Writers keep their transactions short (the scoring worker commits every
 * WORKER_SLICE_ROWS rows), so a wait is normally milliseconds; this bounds the worst.
 */
export const CACHE_BUSY_TIMEOUT_MS = 30_000

/**
 * Every connection to the cache, the core's and the scoring worker's (which applies
 * this list in its own thread, see scoring/alert-writer.ts), runs with these.
 * WAL: the UI keeps reading while a sync or a scored file writes. 64 MB of page cache
 * (default 2 MB): storing a scored file or a sync page updates four indexes and the
 * word index at random places; with the hot pages in memory offline scoring stores
 * rows about 1.5x faster (measured with bench:desktop).
 */
export const CACHE_PRAGMAS: readonly string[] = [
  'journal_mode = WAL',
  'synchronous = NORMAL',
  'foreign_keys = ON',
  `busy_timeout = ${CACHE_BUSY_TIMEOUT_MS}`,
  'cache_size = -65536',
]

/** A connection to the cache file with CACHE_PRAGMAS applied (no migration). */
export function connectCache(file: string): Database.Database {
  const db = new Database(file)
  for (const pragma of CACHE_PRAGMAS) db.pragma(pragma)
  return db
}

/** Opens (creating if needed) the local cache and brings its schema up to date. */
export function openDatabase(file: string): Database.Database {
  // The cache holds the session (see session/token-protector.ts) and the analyst's
  // data: readable by this user only (see private-files.ts). The file exists 0600
  // before SQLite opens it; SQLite gives its -wal/-shm files the db file's mode.
  if (file !== ':memory:') {
    ensurePrivateDir(dirname(file))
    touchPrivateFile(file)
  }
  const db = connectCache(file)
  if (file !== ':memory:') for (const extra of ['-wal', '-shm']) restrictFile(`${file}${extra}`)
  migrate(db)
  return db
}

/**
 * A write transaction that takes the write lock when it begins (BEGIN IMMEDIATE).
 * better-sqlite3's default (BEGIN DEFERRED) starts as a reader: one that reads before
 * it writes must then upgrade while another connection may hold the lock, and SQLite
 * answers that upgrade SQLITE_BUSY at once, without the busy timeout ("database is
 * locked"). Taking the lock first waits for it like any single statement does.
 */
export function writeTransaction<A extends unknown[], R>(db: Database.Database, fn: (...args: A) => R): (...args: A) => R {
  const transaction = db.transaction(fn)
  return (...args: A): R => transaction.immediate(...args)
}

/** SQLITE_BUSY (and its extended codes) or SQLITE_LOCKED: another connection holds the cache. */
export function isCacheBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
}
