import { spawn } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FEATURE_NAMES } from '@anomalyze/shared/engine'
// The real server, in-process, on its embedded Postgres (no DATABASE_URL).
import { startApp, type Db, loadEnv, LOCAL_USER_ID, findFreePort, testLogger } from '@anomalyze/server/testing'
import { createCore } from '../src/core/create-core.ts'
import { openLocalStore } from '../src/core/store/local-store.ts'
import { createServerClient } from '../src/core/sync/server-client.ts'
import { SyncEngine } from '../src/core/sync/sync-engine.ts'
import { writeGeneratedCsv } from '../test/support/generated-csv.ts'

const REPO_ROOT = join(import.meta.dirname, '..', '..', '..')

/**
 * First sync of `rows` anomalies from the real server: Postgres is filled by two
 * INSERT ... SELECT FROM generate_series statements (not ingestion, which would score
 * them all first and take minutes), then one fresh desktop cache pulls everything
 * over HTTP (GET /sync/pull), with where the time went.
 */
export async function benchInitialSync(rows: number): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'anomalyze-bench-sync-'))
  // The embedded cluster may run as the `postgres` user when the bench runs as root.
  chmodSync(dir, 0o755)
  const app = await startApp(loadEnv({ ANOMALYZE_DATA_DIR: join(dir, 'server'), PORT: '0', PG_PORT: String(await findFreePort()) }), testLogger)
  const store = openLocalStore(join(dir, 'desktop', 'cache.db'))
  try {
    const engine = new SyncEngine({ store, createClient: createServerClient })
    // Sign-in (me.get) creates the analyst's own workspace, the organisation the rows below belong to.
    await engine.signIn(app.url, app.localToken ?? '')
    const seedStart = performance.now()
    await seedServerAnomalies(app.db, rows)
    const seedMs = performance.now() - seedStart
    // The server serves rows older than its 1 s settle window.
    await new Promise((resolve) => setTimeout(resolve, 1_200))
    const syncStart = performance.now()
    const cpu = process.cpuUsage()
    const status = await engine.syncNow()
    const syncMs = performance.now() - syncStart
    const used = process.cpuUsage(cpu)
    if (status.error !== null || status.cachedAnomalies !== rows) {
      throw new Error(`initial sync ended with ${status.cachedAnomalies} of ${rows} anomalies: ${status.error ?? 'no error'}`)
    }
    const stats = engine.lastPullStats()
    // Where the time went. Pages are fetched one ahead, so request time overlaps
    // storing: only the wait is on the sync's critical path next to apply and finish.
    const breakdown: Record<string, number> =
      stats === null
        ? {}
        : {
            'initial sync: pages': stats.pages,
            'initial sync: server Postgres, sum over pages (s)': stats.serverDbMs / 1000,
            'initial sync: requests until last byte, sum (s)': stats.requestMs / 1000,
            'initial sync: desktop JSON.parse + contract check (s)': stats.decodeMs / 1000,
            'initial sync: desktop SQLite apply (s)': stats.applyMs / 1000,
            'initial sync: desktop index + word index rebuild (s)': stats.finishMs / 1000,
            'initial sync: waiting for the next page (s)': stats.waitMs / 1000,
          }
    return {
      'server seed, SQL (s)': seedMs / 1000,
      [`initial sync of ${rows} anomalies from the real server (s)`]: syncMs / 1000,
      'initial sync (anomalies/s)': rows / (syncMs / 1000),
      // Server and desktop share this process: CPU seconds it got, against the wall
      // time above, say how much of that time went to waiting on a loaded machine.
      'initial sync, CPU time of this process (s)': (used.user + used.system) / 1e6,
      ...breakdown,
    }
  } finally {
    store.close()
    await app.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * `rows` transactions and one anomaly each for the local user, shaped like
 * ingestion's: a sentence, top features, and the feature vector desktops re-score
 * with (FEATURE_NAMES.length numbers), so the sync moves a realistic payload. Rows
 * share `updatedAt` in runs of ten, as a committed ingestion batch does, so the
 * cursor's id tie-break is exercised. Seeding through Prisma's createMany took
 * three minutes for 100,000 rows on this machine; this takes seconds.
 */
export async function seedServerAnomalies(db: Db, rows: number): Promise<void> {
  const base = Date.UTC(2026, 0, 1)
  const width = FEATURE_NAMES.length
  await db.$executeRaw`
    INSERT INTO "Transaction" ("id", "orgId", "txId", "timestamp", "amount", "currency", "accountId", "merchantId", "source")
    SELECT gen_random_uuid()::text, ${LOCAL_USER_ID}, 'bench-' || i,
           'epoch'::timestamp + (${base}::bigint + i::bigint * 60000) * interval '1 millisecond',
           10 + i % 997, 'INR', 'C' || i % 5000, 'T' || i % 2000, 'REALTIME_API'::"TransactionSource"
    FROM generate_series(0, ${rows - 1}::int) AS i`
  await db.$executeRaw`
    INSERT INTO "Anomaly" ("id", "orgId", "transactionId", "score", "severity", "ruleViolations", "explanation",
                           "explanationData", "modelVersion", "updatedAt")
    SELECT gen_random_uuid()::text, t."orgId", t."id", s.score,
           (ARRAY['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'])[least(3, floor(s.score * 4)::int) + 1]::"Severity",
           CASE WHEN s.score >= 0.5 THEN ARRAY['AMOUNT_SPIKE'] ELSE ARRAY[]::text[] END,
           'Bench row ' || s.i || ': amount ' || t."amount" || ' vs usual 50',
           jsonb_build_object(
             'topFeatures', jsonb_build_array(
               jsonb_build_object('feature', 'acct_amount_ratio', 'value', 4.2, 'norm', 1, 'contribution', 0.31, 'text', 'amount 4.2x the account''s usual'),
               jsonb_build_object('feature', 'merch_risk_7d', 'value', 0.12, 'norm', null, 'contribution', 0.12, 'text', 'merchant fraud rate 12% this week')),
             'isolationScore', s.score, 'fraudProbability', null,
             'features', (SELECT jsonb_agg(round(((s.i * 31 + f * 17) % 1000)::numeric / 7, 4)) FROM generate_series(1, ${width}::int) AS f)),
           'bench', now() - (${rows}::int - s.i) / 10 * interval '1 millisecond'
    FROM "Transaction" t
    CROSS JOIN LATERAL (SELECT substr(t."txId", 7)::int AS i, ((substr(t."txId", 7)::int * 7919) % 1000) / 1000.0 AS score) AS s
    WHERE t."orgId" = ${LOCAL_USER_ID} AND t."txId" LIKE 'bench-%'`
  // Fresh statistics and visibility map, as on a server that has been running.
  await db.$executeRawUnsafe('VACUUM ANALYZE "Transaction", "Anomaly"')
}

/**
 * Offline scoring of one generated CSV, through the console's core (upload-free
 * path source, rows stored in SQLite as a local batch) and through the CLI
 * (`anomalyze score`, scored CSV to a file), in the same run on the same file.
 */
export async function benchCsvScoring(rows: number): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'anomalyze-bench-score-'))
  const csv = join(dir, 'transactions.csv')
  try {
    writeGeneratedCsv(csv, { rows, seed: 17 })
    const core = createCore({ dataDir: join(dir, 'core') })
    let coreMs: number
    let alerts: number
    let exportMs: number
    try {
      // Model load is timed in the CLI's figure (a whole process) but not here: the
      // console loads it once per session, not per file.
      await core.scoring.availability()
      // As Electron's open and save dialogs do: the core reads and writes only picked paths.
      core.allowPath(csv, 'read')
      core.allowPath(join(dir, 'export.csv'), 'write')
      const inspection = await core.scoring.inspect({ path: csv })
      const start = performance.now()
      const job = await core.scoring.start({ source: { path: csv }, mapping: inspection.mapping })
      const done = await core.scoring.settled(job.jobId)
      coreMs = performance.now() - start
      if (done.state !== 'done' || done.scored !== rows) throw new Error(`console scoring ended ${done.state} with ${done.scored} rows: ${done.error ?? ''}`)
      alerts = done.alerts
      // The queue holds the alerts; the export brings every scored row back.
      const exportStart = performance.now()
      const exported = await core.handlers['scoring.export']({ batchId: done.batchId, path: join(dir, 'export.csv') })
      exportMs = performance.now() - exportStart
      if (exported.data?.rows !== rows) throw new Error(`the export has ${exported.data?.rows ?? 0} of ${rows} rows: ${exported.error?.message ?? ''}`)
    } finally {
      await core.close()
    }
    // The CLI's own entry point (what `pnpm anomalyze score` runs), timed as a whole process.
    const cliStart = performance.now()
    await run(process.execPath, [join(REPO_ROOT, 'packages/shared/bin/anomalyze.mjs'), 'score', csv, '--out', join(dir, 'scored.csv')])
    const cliMs = performance.now() - cliStart
    return {
      [`console core: score ${rows} CSV rows, alerts into SQLite, every row kept for export (rows/s)`]: rows / (coreMs / 1000),
      [`CLI anomalyze score ${rows} rows to CSV, whole process (rows/s)`]: rows / (cliMs / 1000),
      'console core rows/s as % of the CLI (goal: 80 or more)': (100 * cliMs) / coreMs,
      'console core: alerts stored in the triage queue': alerts,
      [`console core: export the scored batch, ${rows} rows (rows/s)`]: rows / (exportMs / 1000),
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.once('error', reject)
    // Exit code 1 means "some rows rejected": still a finished run.
    child.once('exit', (code) => (code === 0 || code === 1 ? resolve() : reject(new Error(`anomalyze score exited ${code}: ${stderr}`))))
  })
}
