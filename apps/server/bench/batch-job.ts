// pnpm bench:batch: a 1M-row batch CSV job timed end to end (upload + processing)
// against a real server on an embedded Postgres, driven from this separate process
// over loopback, with a raw-INSERT baseline in the same run.
//
//   pnpm bench:batch [--rows 1000000] [--max-seconds 1200] [--baseline-seconds 20]
//
// 1. writes a CSV of --rows generated transactions to a temp file (not timed);
// 2. upload: streams it to POST /batch-jobs (MB/s);
// 3. processing: polls batchJobs.get until COMPLETED (rows/s), bounded by --max-seconds
//    (if the bound hits, the rows processed so far are reported);
// 4. baseline: the same rows as plain 500-row INSERTs through `pg` on one connection
//    (no parsing, validation or detection): the storage floor.
import { spawn } from 'node:child_process'
import { chmodSync, createReadStream, existsSync, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { Readable } from 'node:stream'
import { finished } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { type TTransaction } from '@anomalyze/shared'
import { generateTransactions } from '@anomalyze/shared/engine'
import { LOCAL_USER_ID } from '../src/auth/local-authenticator.ts'
import { createPrismaClient } from '../src/db/prisma.ts'
import { findFreePort } from '../src/net/find-free-port.ts'
import { grantPlan } from '../src/services/billing/grant-plan.ts'

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    'max-seconds': { type: 'string', default: '1200' },
    'baseline-seconds': { type: 'string', default: '20' },
    help: { type: 'boolean' },
  },
})
if (values.help) {
  console.log('usage: pnpm bench:batch [--rows N] [--max-seconds S] [--baseline-seconds S]   (loopback only, bounded in time)')
  process.exit(0)
}
const rowCount = Number(values.rows)
const maxSeconds = Number(values['max-seconds'])
const baselineSeconds = Number(values['baseline-seconds'])
const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'anomalyze-bench-batch-'))
chmodSync(dataDir, 0o755)
const csvFile = path.join(dataDir, 'bench.csv')
const [port, pgPort] = [await findFreePort(), await findFreePort()]

console.log(
  `machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}, load ${os.loadavg()[0]?.toFixed(1)}`,
)
await writeCsv(csvFile, rowCount)
const bytes = statSync(csvFile).size
console.log(`file: ${rowCount} rows, ${(bytes / 2 ** 20).toFixed(1)} MB`)

const server = spawn(process.execPath, ['--import', 'tsx', 'src/cli/start.ts', '--no-seed'], {
  cwd: serverDir,
  env: { ...process.env, ANOMALYZE_DATA_DIR: dataDir, PORT: String(port), PG_PORT: String(pgPort), LOG_LEVEL: 'warn', DATABASE_URL: '' },
  stdio: ['ignore', 'pipe', 'inherit'],
})
const url = `http://127.0.0.1:${port}`
try {
  await waitForHealth(url, 120_000)
  // The session file is written once the workers run, just after /health answers.
  for (let i = 0; i < 120 && !existsSync(path.join(dataDir, 'local-session.json')); i += 1) await new Promise((r) => setTimeout(r, 250))
  const { token } = JSON.parse(readFileSync(path.join(dataDir, 'local-session.json'), 'utf8')) as { token: string }
  const password = (JSON.parse(readFileSync(path.join(dataDir, 'postgres', 'credentials.json'), 'utf8')) as { password: string }).password
  const databaseUrl = `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/anomalyze`
  // Members' uploads count against the plan's monthly quota: the analyst's workspace (made
  // on their first request) goes on the Business plan, whose quota is far above the file.
  await call('me.get', token, undefined)
  const admin = createPrismaClient(databaseUrl, 2)
  await grantPlan(admin, LOCAL_USER_ID, 'business')
  await admin.$disconnect()

  // 2. upload (streamed from disk)
  const t0 = performance.now()
  const response = await fetch(`${url}/batch-jobs?fileName=bench.csv`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
    body: Readable.toWeb(createReadStream(csvFile)) as ReadableStream,
    duplex: 'half',
  } as RequestInit)
  const created = (await response.json()) as { id?: string; totalRows?: number; error?: unknown }
  if (response.status !== 202 || !created.id) throw new Error(`upload failed: ${response.status} ${JSON.stringify(created)}`)
  const uploadSeconds = (performance.now() - t0) / 1000
  console.log(`upload: ${uploadSeconds.toFixed(1)} s = ${(bytes / 2 ** 20 / uploadSeconds).toFixed(0)} MB/s (${created.totalRows} rows counted)`)

  // 3. processing, bounded
  const t1 = performance.now()
  let job:
    { status: string; processedRows: number; acceptedRows: number; rejectedRows: number; duplicateRows: number; failureReason: string | null } | undefined
  let lastPrint = 0
  while ((performance.now() - t1) / 1000 < maxSeconds) {
    job = (await call('batchJobs.get', token, { id: created.id })) as typeof job & object
    if (job.status === 'COMPLETED' || job.status === 'FAILED') break
    if (performance.now() - lastPrint > 15_000) {
      lastPrint = performance.now()
      console.log(`  ... ${job.processedRows} rows after ${((performance.now() - t1) / 1000).toFixed(0)} s`)
    }
    await new Promise((r) => setTimeout(r, 500))
  }
  if (!job) throw new Error('no job state')
  const processSeconds = (performance.now() - t1) / 1000
  const processRate = job.processedRows / processSeconds
  const endToEnd = job.processedRows / (uploadSeconds + processSeconds)
  console.log(
    `processing: ${job.status}${job.failureReason ? ` (${job.failureReason})` : ''}, ${job.processedRows} rows (${job.acceptedRows} accepted, ${job.duplicateRows} duplicate, ${job.rejectedRows} rejected) in ${processSeconds.toFixed(1)} s = ${processRate.toFixed(0)} rows/s`,
  )
  console.log(`end to end (upload + processing, detection on): ${(uploadSeconds + processSeconds).toFixed(1)} s = ${endToEnd.toFixed(0)} rows/s`)
  if (job.status !== 'COMPLETED') console.log(`bound of ${maxSeconds} s reached before the job ended: figures cover the rows processed so far`)

  // 4. baseline: raw inserts of the same rows
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  const rows = rowsOf(rowCount)
  let inserted = 0
  const baseEnd = Date.now() + baselineSeconds * 1000
  const t2 = performance.now()
  while (Date.now() < baseEnd) {
    const batch: TTransaction[] = []
    for (let i = 0; i < 500; i += 1) {
      const next = rows.next()
      if (next.done) break
      batch.push(next.value)
    }
    if (batch.length === 0) break
    const params: unknown[] = []
    const tuples = batch.map((t, i) => {
      params.push(`baseline-${t.txId}`, new Date(t.timestamp), t.amount, t.currency, t.accountId, t.merchantId)
      const o = i * 6
      return `(gen_random_uuid(), 'local_analyst', $${o + 1}, $${o + 2}, $${o + 3}, $${o + 4}, $${o + 5}, $${o + 6}, 'BATCH_CSV')`
    })
    await client.query(
      `INSERT INTO "Transaction" (id, "orgId", "txId", timestamp, amount, currency, "accountId", "merchantId", source) VALUES ${tuples.join(',')}`,
      params,
    )
    inserted += batch.length
  }
  await client.end()
  const baseRate = inserted / ((performance.now() - t2) / 1000)
  console.log(`baseline (raw INSERT, 500/statement, 1 connection, no parsing, no detection): ${baseRate.toFixed(0)} rows/s`)
  console.log(`ratio: the batch job end to end runs at ${((endToEnd / baseRate) * 100).toFixed(0)}% of the raw-insert floor`)
} finally {
  server.kill('SIGTERM')
  await new Promise((r) => server.once('exit', r))
  rmSync(dataDir, { recursive: true, force: true })
}

function* rowsOf(n: number): Generator<TTransaction> {
  let produced = 0
  for (let round = 0; produced < n; round += 1) {
    for (const g of generateTransactions({ seed: 21 + round, customers: 5_000, terminals: 8_000, days: 60, txIdPrefix: `r${round}` })) {
      if (produced >= n) return
      produced += 1
      yield g.transaction
    }
  }
}

async function writeCsv(file: string, n: number): Promise<void> {
  const out = createWriteStream(file)
  out.write('txId,timestamp,amount,currency,accountId,merchantId,category,country,channel\n')
  let text = ''
  for (const t of rowsOf(n)) {
    text += `${t.txId},${new Date(t.timestamp).toISOString()},${t.amount},${t.currency},${t.accountId},${t.merchantId},${t.category ?? ''},${t.country ?? ''},${t.channel ?? ''}\n`
    if (text.length > 1 << 20) {
      if (!out.write(text)) await new Promise<void>((r) => out.once('drain', () => r()))
      text = ''
    }
  }
  out.end(text)
  await finished(out)
}

async function call(procedure: string, token: string, input: unknown): Promise<unknown> {
  const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`
  const response = await fetch(`${url}/trpc/${procedure}${query}`, {
    headers: { authorization: `Bearer ${token}` },
  })
  const body = (await response.json()) as { result?: { data: unknown }; error?: unknown }
  if (!response.ok || !body.result) throw new Error(`${procedure} failed: ${JSON.stringify(body.error)}`)
  return body.result.data
}

async function waitForHealth(base: string, timeoutMs: number): Promise<void> {
  readline.createInterface({ input: server.stdout! }).on('line', () => undefined)
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (server.exitCode !== null) throw new Error(`server exited with ${server.exitCode}`)
    const ok = await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) return
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new Error('server did not become healthy in time')
}
