import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { severityRank, SEVERITIES } from '@anomalyze/shared'
// The real server, in-process, on its embedded Postgres (no DATABASE_URL).
import { startApp } from '../../server/src/app/start-app.ts'
import { loadEnv } from '../../server/src/env.ts'
import { LOCAL_USER_ID } from '../../server/src/auth/local-authenticator.ts'
import { findFreePort } from '../../server/src/net/find-free-port.ts'
import { testLogger } from '../../server/test/helpers/silent-logger.ts'
import { createCore } from '../src/core/create-core.ts'
import { openLocalStore } from '../src/core/store/local-store.ts'
import { createServerClient } from '../src/core/sync/server-client.ts'
import { SyncEngine } from '../src/core/sync/sync-engine.ts'
import { writeGeneratedCsv } from '../src/core/test-support/generated-csv.ts'

const REPO_ROOT = join(import.meta.dirname, '..', '..', '..')

/**
 * First sync of `rows` anomalies from the real server: Postgres is filled with plain
 * createMany inserts (not ingestion, which would score them all first and take
 * minutes), then one fresh desktop cache pulls everything over tRPC.
 */
export async function benchInitialSync(rows: number): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'anomalyze-bench-sync-'))
  // The embedded cluster may run as the `postgres` user when the bench runs as root.
  chmodSync(dir, 0o755)
  const app = await startApp(
    loadEnv({ ANOMALYZE_DATA_DIR: join(dir, 'server'), PORT: '0', PG_PORT: String(await findFreePort()) }),
    testLogger,
  )
  const store = openLocalStore(join(dir, 'desktop', 'cache.db'))
  try {
    const engine = new SyncEngine({ store, createClient: createServerClient })
    // Sign-in (me.get) creates the analyst's user row the rows below belong to.
    await engine.signIn(app.url, app.localToken ?? '')
    const seedStart = performance.now()
    const chunk = 5_000
    const base = Date.UTC(2026, 0, 1)
    for (let start = 0; start < rows; start += chunk) {
      const n = Math.min(chunk, rows - start)
      const txIds = Array.from({ length: n }, () => randomUUID())
      await app.db.transaction.createMany({
        data: txIds.map((id, i) => ({
          id,
          userId: LOCAL_USER_ID,
          txId: `bench-${start + i}`,
          timestamp: new Date(base + (start + i) * 60_000),
          amount: 10 + ((start + i) % 997),
          currency: 'INR',
          accountId: `C${(start + i) % 5_000}`,
          merchantId: `T${(start + i) % 2_000}`,
          source: 'REALTIME_API' as const,
        })),
      })
      await app.db.anomaly.createMany({
        data: txIds.map((transactionId, i) => {
          const score = ((start + i) * 7919) % 1000 / 1000
          const severity = SEVERITIES[Math.min(3, Math.floor(score * 4))] ?? 'LOW'
          return {
            id: randomUUID(),
            userId: LOCAL_USER_ID,
            transactionId,
            score,
            severity,
            ruleViolations: severityRank(severity) >= 2 ? ['AMOUNT_SPIKE'] : [],
            explanation: `Bench row ${start + i}: amount ${10 + ((start + i) % 997)} vs usual 50`,
            modelVersion: 'bench',
          }
        }),
      })
    }
    const seedMs = performance.now() - seedStart
    // The server serves rows older than its 1 s settle window.
    await new Promise((resolve) => setTimeout(resolve, 1_200))
    const syncStart = performance.now()
    const status = await engine.syncNow()
    const syncMs = performance.now() - syncStart
    if (status.error !== null || status.cachedAnomalies !== rows) {
      throw new Error(`initial sync ended with ${status.cachedAnomalies} of ${rows} anomalies: ${status.error ?? 'no error'}`)
    }
    return {
      'server seed, createMany (s)': seedMs / 1000,
      [`initial sync of ${rows} anomalies from the real server (s)`]: syncMs / 1000,
      'initial sync (anomalies/s)': rows / (syncMs / 1000),
    }
  } finally {
    store.close()
    await app.stop()
    rmSync(dir, { recursive: true, force: true })
  }
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
    try {
      // Model load is timed in the CLI's figure (a whole process) but not here: the
      // console loads it once per session, not per file.
      await core.scoring.availability()
      const inspection = await core.scoring.inspect({ path: csv })
      const start = performance.now()
      const job = await core.scoring.start({ source: { path: csv }, mapping: inspection.mapping })
      const done = await core.scoring.settled(job.jobId)
      coreMs = performance.now() - start
      if (done.state !== 'done' || done.scored !== rows) throw new Error(`console scoring ended ${done.state} with ${done.scored} rows: ${done.error ?? ''}`)
    } finally {
      await core.close()
    }
    // The CLI's own entry point (what `pnpm anomalyze score` runs), timed as a whole process.
    const cliStart = performance.now()
    await run(process.execPath, [join(REPO_ROOT, 'packages/shared/bin/anomalyze.mjs'), 'score', csv, '--out', join(dir, 'scored.csv')])
    const cliMs = performance.now() - cliStart
    return {
      [`console core: score ${rows} CSV rows into SQLite (rows/s)`]: rows / (coreMs / 1000),
      [`CLI anomalyze score ${rows} rows to CSV, whole process (rows/s)`]: rows / (cliMs / 1000),
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
