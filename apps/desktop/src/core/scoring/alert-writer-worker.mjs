// Worker thread that stores a scored file's queue rows and bad rows through a second
// SQLite connection (see alert-writer.ts, which starts it and talks to it).
// Plain JavaScript on purpose: it starts without a TypeScript loader, and a build
// copies it as it is beside its bundle (the bundle says where, see openAlertWriter).
// better-sqlite3 is resolved by the starting module (it stays an external, native
// module in every build). The connection gets the cache's pragmas (busy timeout
// included) from open-database.ts, like every other connection; its transactions are
// IMMEDIATE (see writeTransaction) and bounded to `sliceRows` rows.
import { createRequire } from 'node:module'
import { parentPort, workerData } from 'node:worker_threads'

/** @type {{ file: string, sqlite: string, pragmas: string[], sliceRows: number, upsertSql: string, badRowSql: string }} */
const init = workerData
const port = parentPort
if (!port) throw new Error('alert-writer-worker must run as a worker thread')
const Database = createRequire(import.meta.url)(init.sqlite)
const db = new Database(init.file)
for (const pragma of init.pragmas) db.pragma(pragma)
const upsert = db.prepare(init.upsertSql)
const insertBadRow = db.prepare(init.badRowSql)
const addSlice = db.transaction(
  (/** @type {string} */ batchId, /** @type {object[]} */ alerts, /** @type {{ line: number, field: string, reason: string }[]} */ badRows) => {
    for (const a of alerts) upsert.run(a)
    for (const b of badRows) insertBadRow.run(batchId, b.line, b.field, b.reason)
  },
)
const slice = init.sliceRows
const add = (/** @type {string} */ batchId, /** @type {object[]} */ alerts, /** @type {{ line: number, field: string, reason: string }[]} */ badRows) => {
  for (let at = 0; at < alerts.length; at += slice) addSlice.immediate(batchId, alerts.slice(at, at + slice), [])
  for (let at = 0; at < badRows.length; at += slice * 4) addSlice.immediate(batchId, [], badRows.slice(at, at + slice * 4))
}
port.on(
  'message',
  (/** @type {{ id: number, batchId: string, alerts: object[], badRows: { line: number, field: string, reason: string }[] } | 'close'} */ m) => {
    if (m === 'close') {
      db.close()
      port.close()
      return
    }
    try {
      add(m.batchId, m.alerts, m.badRows)
      port.postMessage({ id: m.id })
    } catch (error) {
      port.postMessage({ id: m.id, error: error instanceof Error ? error.message : String(error) })
    }
  },
)
port.postMessage({ ready: true })
