import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { migrate } from './migrations.ts'
import { ensurePrivateDir, restrictFile, touchPrivateFile } from '../private-files.ts'

/** Opens (creating if needed) the local cache and brings its schema up to date. */
export function openDatabase(file: string): Database.Database {
  // The cache holds the session (see session/token-protector.ts) and the analyst's
  // data: readable by this user only (see private-files.ts). The file exists 0600
  // before SQLite opens it; SQLite gives its -wal/-shm files the db file's mode.
  if (file !== ':memory:') {
    ensurePrivateDir(dirname(file))
    touchPrivateFile(file)
  }
  const db = new Database(file)
  // WAL: the UI keeps reading while a sync writes a page.
  db.pragma('journal_mode = WAL')
  if (file !== ':memory:') for (const extra of ['-wal', '-shm']) restrictFile(`${file}${extra}`)
  db.pragma('synchronous = NORMAL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  // 64 MB of page cache (default 2 MB): storing a scored file or a sync page updates
  // four indexes and the word index at random places; with the hot pages in memory
  // offline scoring stores rows about 1.5x faster (measured with bench:desktop).
  db.pragma('cache_size = -65536')
  migrate(db)
  return db
}
