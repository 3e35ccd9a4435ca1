// pnpm bench:reports: a large anomalies export streamed from Postgres into object
// storage, with the memory it takes, plus the monthly PDF over the same rows.
//
//   pnpm bench:reports [--rows 1000000] [--baseline]
//
// Runs in-process on a throwaway embedded Postgres (loopback only, bounded by --rows).
// Memory: the live heap is read after a forced full GC every 250 ms during the export,
// so it shows what the export holds, not garbage waiting for collection.
// --baseline also loads the same rows with one findMany (what a non-streaming export
// would hold) and prints the heap it takes.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import v8 from 'node:v8'
import vm from 'node:vm'
import { pino } from 'pino'
import { startEmbeddedPostgres } from '../src/db/embedded-postgres.ts'
import { ensureDatabase, migrateDatabase } from '../src/db/migrate.ts'
import { createPrismaClient } from '../src/db/prisma.ts'
import { findFreePort } from '../src/net/find-free-port.ts'
import { runReport } from '../src/services/reports/run-report.ts'
import { createLocalFolderStore } from '../src/storage/local-folder-store.ts'
import { createLinkSigner } from '../src/storage/signed-links.ts'
import { insertGeneratedAnomalies } from '../test/reports-fixtures.ts'

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, baseline: { type: 'boolean' }, help: { type: 'boolean' } } })
if (values.help) {
  console.log('usage: pnpm bench:reports [--rows N] [--baseline]')
  process.exit(0)
}
const rows = Number(values.rows)
if (!Number.isInteger(rows) || rows < 1 || rows > 20_000_000) throw new Error('--rows must be an integer from 1 to 20,000,000')
v8.setFlagsFromString('--expose-gc')
const fullGc = vm.runInNewContext('gc') as () => void
const MB = 1024 * 1024
const mb = (bytes: number): string => `${(bytes / MB).toFixed(1)} MB`

const dir = mkdtempSync(path.join(os.tmpdir(), 'anomalyze-bench-reports-'))
chmodSync(dir, 0o755)
console.log(`machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}`)
const postgres = await startEmbeddedPostgres({ dir: path.join(dir, 'pg'), port: await findFreePort(), ephemeral: true })
try {
  await ensureDatabase(postgres.adminUrl, 'bench')
  const url = postgres.urlFor('bench')
  await migrateDatabase(url)
  const db = createPrismaClient(url, 4)
  const storage = createLocalFolderStore({
    root: path.join(dir, 'objects'),
    signer: createLinkSigner('bench-link-secret-0123456789'),
    publicUrl: () => 'http://127.0.0.1:1',
  })
  const log = pino({ level: 'warn' })

  let t = performance.now()
  await insertGeneratedAnomalies(db, 'bench_user', rows)
  console.log(`generated ${rows.toLocaleString('en-US')} transactions + anomalies in ${((performance.now() - t) / 1000).toFixed(1)} s`)

  const report = await db.report.create({ data: { orgId: 'bench_user', type: 'ANOMALIES', format: 'CSV', parameters: { filters: {} } } })
  fullGc()
  const base = process.memoryUsage()
  let peakHeap = 0
  let peakRss = 0
  const sampler = setInterval(() => {
    fullGc()
    const m = process.memoryUsage()
    peakHeap = Math.max(peakHeap, m.heapUsed - base.heapUsed)
    peakRss = Math.max(peakRss, m.rss - base.rss)
  }, 250)
  t = performance.now()
  const outcome = await runReport({ db, storage, log }, report.id)
  const seconds = (performance.now() - t) / 1000
  clearInterval(sampler)
  if (outcome.status !== 'COMPLETED') throw new Error(`export did not complete: ${JSON.stringify(outcome)}`)
  const size = (await storage.head(outcome.key))?.size ?? 0
  console.log(
    `CSV export: ${outcome.rowCount.toLocaleString('en-US')} rows, ${mb(size)} in ${seconds.toFixed(1)} s = ${Math.round(outcome.rowCount / seconds).toLocaleString('en-US')} rows/s`,
  )
  console.log(
    `  memory during the export: live heap +${mb(peakHeap)} at most, RSS +${mb(peakRss)} at most (baseline heap ${mb(base.heapUsed)}, RSS ${mb(base.rss)})`,
  )

  const summary = await db.report.create({ data: { orgId: 'bench_user', type: 'MONTHLY_SUMMARY', format: 'PDF', parameters: { month: '2026-01' } } })
  t = performance.now()
  const pdf = await runReport({ db, storage, log }, summary.id)
  console.log(`monthly PDF over the same rows: ${pdf.status} in ${((performance.now() - t) / 1000).toFixed(1)} s`)

  if (values.baseline) {
    fullGc()
    const before = process.memoryUsage().heapUsed
    t = performance.now()
    const all = await db.anomaly.findMany({ where: { orgId: 'bench_user' }, include: { transaction: true } })
    const held = process.memoryUsage().heapUsed - before
    console.log(
      `baseline (all rows in memory, one findMany): ${all.length.toLocaleString('en-US')} rows, heap +${mb(held)} in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    )
  }
  await db.$disconnect()
} finally {
  await postgres.stop()
  rmSync(dir, { recursive: true, force: true })
}
