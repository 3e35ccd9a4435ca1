// pnpm bench:training: does a retraining slow ingestion down? Single-call
// `ingest.transactions` latency against a real server on an embedded Postgres (loopback
// only), first with no training, then while a retraining of the whole history runs, then
// while an admin's before/after previews of a candidate (the Activate dialog) run.
//
//   pnpm bench:training [--rows 500000] [--rate 50] [--seconds 15] [--max-training-seconds 420]
//                       [--preview-seconds 15] [--skip-training]
//
// 1. seed: --rows generated transactions over ~30 days straight into Postgres (multi-row
//    INSERTs of unnest()ed arrays, not the API), with analysts' decisions: every fraud
//    confirmed, large legitimate sales marked false positives (the generator's noisy
//    merchants). Checks both sides of the training's time split (earliest 75%, latest
//    25%) hold at least 5 of each, as the training requires;
// 2. without training: one-transaction calls at --rate per second for --seconds (after
//    a warm-up): p50/p99;
// 3. during training: `training.start` as the organisation's admin, then the same calls
//    for as long as the job is PROCESSING (at most --max-training-seconds): p50/p99, and
//    the training's time, rows and outcome (COMPLETED, or its failure reason);
// 4. during previews: `models.previewCandidate` (limit 20, as the console asks) of the
//    version the training registered, back to back for --preview-seconds (the last one
//    finishes), with the same calls: p50/p99, and each preview's time and window. With
//    --skip-training (phase 3 left out) or no inactive version left, the shipped model's
//    files are registered as the candidate.
import os from 'node:os'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { type TTransaction } from '@anomalyze/shared'
import { generateTransactions } from '@anomalyze/shared/engine'
import { readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import path from 'node:path'
import { DEFAULT_MODEL_DIR } from '@anomalyze/shared/node'
import { createPrismaClient } from '../src/db/prisma.ts'
import { grantPlan } from '../src/services/billing/grant-plan.ts'
import { SHIPPED_DEFAULT_ID } from '../src/services/models/list-models.ts'
import { HOLDOUT_FRACTION, MIN_CONFIRMED_FRAUDS, MIN_FALSE_POSITIVES } from '../src/services/training/run-training.ts'
import { insertTransactions } from '../test/helpers/bulk-insert-transactions.ts'
import { startLoopbackServer } from './support/loopback-server.ts'

const USAGE = `usage: pnpm bench:training [--rows N] [--rate R] [--seconds S] [--max-training-seconds T] [--preview-seconds P] [--skip-training]
  --rows N                  transactions seeded before the retraining (default 500000, at least 2000)
  --rate R                  single-transaction ingest calls per second (default 50)
  --seconds S               seconds of calls measured without training (default 15)
  --max-training-seconds T  stop measuring (and waiting) after T seconds of training (default 420)
  --preview-seconds P       run candidate previews back to back for P seconds while measuring (default 15; 0: no preview phase)
  --skip-training           leave the training phase out (the preview's candidate is then the shipped model's files)
Loopback only: starts its own server and embedded Postgres in a temporary directory and removes them.`

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '500000' },
    rate: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '15' },
    'max-training-seconds': { type: 'string', default: '420' },
    'preview-seconds': { type: 'string', default: '15' },
    'skip-training': { type: 'boolean' },
    help: { type: 'boolean' },
  },
})
if (values.help) {
  console.log(USAGE)
  process.exit(0)
}
const rowCount = positiveInteger('--rows', values.rows, 2_000, 5_000_000)
const rate = positiveInteger('--rate', values.rate, 1, 500)
const seconds = positiveInteger('--seconds', values.seconds, 1, 300)
const maxTrainingSeconds = positiveInteger('--max-training-seconds', values['max-training-seconds'], 10, 3_600)
const previewSeconds = positiveInteger('--preview-seconds', values['preview-seconds'], 0, 600)
const skipTraining = values['skip-training'] === true

const DAY_MS = 86_400_000
const HISTORY_DAYS = 30
/** Rows per seeding statement. */
const SEED_BATCH = 5_000
/** A legitimate sale at least this large is one an analyst looked at and dismissed. */
const FALSE_POSITIVE_AMOUNT = 200
/** Seconds of calls at the rate before each measured phase, not counted (JIT, first alert jobs). */
const WARM_UP_S = 2

const historyStart = utcDay(Date.now() - (HISTORY_DAYS + 1) * DAY_MS)
const server = await startLoopbackServer('training')
const db = new pg.Client({ connectionString: server.databaseUrl })
try {
  await db.connect()
  // The organisation the local analyst's session acts in, as its admin (training.start needs models:manage).
  const me = (await server.query('me.get', server.sessionToken)) as { org: { id: string; role: string | null } }
  const orgId = me.org.id
  // The Business plan includes retraining, and its quota and per-key rate limit are far
  // above what the run sends, so limits never shape the figures.
  const prisma = createPrismaClient(server.databaseUrl, 2)
  await grantPlan(prisma, orgId, 'business')
  await prisma.$disconnect()

  let t0 = performance.now()
  const seeded = await seedHistory(db, orgId)
  console.log(
    `seeded ${seeded.rows.toLocaleString()} transactions over ${HISTORY_DAYS} days from ${historyStart} in ${secondsSince(t0)} s: ` +
      `${seeded.frauds.toLocaleString()} confirmed frauds, ${seeded.falsePositives.toLocaleString()} false positives ` +
      `(earliest ${100 - HOLDOUT_FRACTION * 100}%: ${seeded.early.frauds} / ${seeded.early.falsePositives}, latest ${HOLDOUT_FRACTION * 100}%: ${seeded.late.frauds} / ${seeded.late.falsePositives})`,
  )

  const key = (await server.call('apiKeys.create', server.sessionToken, { name: 'bench', scopes: ['ingest:write'] })) as { secret: string }
  const live = liveTransactions()
  const ingestOne = () => server.call('ingest.transactions', key.secret, { transactions: [live.next().value as TTransaction] })
  // The key's first calls pay its bcrypt check; then a warm-up at the rate.
  for (let i = 0; i < 20; i += 1) await ingestOne()
  t0 = performance.now()
  await atFixedRate(
    ingestOne,
    () => performance.now() - t0 < WARM_UP_S * 1000,
    () => undefined,
  )

  const without: number[] = []
  t0 = performance.now()
  await atFixedRate(
    ingestOne,
    () => performance.now() - t0 < seconds * 1000,
    (ms) => without.push(ms),
  )
  // Other work on the machine shows in a p99 as much as the training does: say how busy it was.
  const loadWithout = os.loadavg()[0]!

  // 3. During a retraining of the whole history.
  const measureTraining = async () => {
    const started = (await server.call('training.start', server.sessionToken)) as { id: string }
    const waitStart = performance.now()
    let status = await trainingStatus(db, started.id)
    while (status === 'QUEUED' && performance.now() - waitStart < 120_000) {
      await sleep(200)
      status = await trainingStatus(db, started.id)
    }
    if (status === 'QUEUED') throw new Error(`training job ${started.id} was still QUEUED after 120 s: is the retrain-model worker running?`)
    // Follow the job's status beside the calls; a call counts if it was sent while it was PROCESSING.
    let processing = status === 'PROCESSING'
    const trainingStart = performance.now()
    const inTime = () => performance.now() - trainingStart < maxTrainingSeconds * 1000
    const watcher = (async () => {
      try {
        while (processing && inTime()) {
          await sleep(250)
          processing = (await trainingStatus(db, started.id)) === 'PROCESSING'
        }
      } finally {
        processing = false
      }
    })()
    const during: number[] = []
    // When the slowest calls were sent, in seconds into the training: a cluster points at a stage.
    const slowest: { at: number; ms: number }[] = []
    await atFixedRate(
      ingestOne,
      () => processing && inTime(),
      (ms, sentAt) => {
        during.push(ms)
        slowest.push({ at: (sentAt - trainingStart) / 1000, ms })
      },
    )
    await watcher
    return { during, slowest, load: os.loadavg()[0]!, job: await finishedJob(db, started.id) }
  }
  const training = skipTraining ? null : await measureTraining()

  // 4. During an admin's previews of a candidate, back to back.
  const measurePreviews = async () => {
    const modelId = await previewCandidateId(server)
    const previews: PreviewTiming[] = []
    let failure: string | null = null
    let previewing = true
    const previewStart = performance.now()
    const loop = (async () => {
      try {
        do {
          const t0 = performance.now()
          const answer = (await server.query('models.previewCandidate', server.sessionToken, { modelId, limit: 20 })) as PreviewAnswer
          previews.push({ ms: performance.now() - t0, computedMs: answer.computedMs, window: answer.window })
        } while (performance.now() - previewStart < previewSeconds * 1000)
      } catch (error) {
        failure = error instanceof Error ? error.message : String(error)
      } finally {
        previewing = false
      }
    })()
    const during: number[] = []
    await atFixedRate(
      ingestOne,
      () => previewing,
      (ms) => during.push(ms),
    )
    await loop
    return { during, previews, failure: failure as string | null, load: os.loadavg()[0]! }
  }
  const preview = previewSeconds > 0 ? await measurePreviews() : null

  console.log('')
  console.log(`single-call ingest.transactions (1 transaction per call, ${rate} calls/s), ${rowCount.toLocaleString()} rows in history`)
  console.log(
    table([
      ['', 'p50 ms', 'p99 ms', 'calls', `load avg (1 min, ${os.cpus().length} cores)`],
      [...latencyRow('without training', without), loadWithout.toFixed(1)],
      ...(training ? [[...latencyRow('during training', training.during), training.load.toFixed(1)]] : []),
      ...(preview ? [[...latencyRow('during previews', preview.during), preview.load.toFixed(1)]] : []),
    ]),
  )
  if (training) {
    const { job } = training
    const worst = training.slowest.sort((a, b) => b.ms - a.ms).slice(0, 8)
    if (worst.length > 0) console.log(`slowest during training: ${worst.map((c) => `${c.ms.toFixed(0)} ms at ${c.at.toFixed(1)} s`).join(', ')}`)
    console.log('')
    if (job.status === 'COMPLETED') {
      console.log(
        `training: COMPLETED in ${job.seconds.toFixed(1)} s (job start to end; ${job.trainingSeconds?.toFixed(1) ?? '?'} s by its report) on ` +
          `${job.replayed?.toLocaleString() ?? '?'} replayed / ${job.kept?.toLocaleString() ?? '?'} kept rows; candidate: ${job.decision ?? '?'}`,
      )
    } else if (job.status === 'FAILED') {
      console.log(`training: FAILED after ${job.seconds.toFixed(1)} s: ${job.failureReason ?? 'no reason recorded'}`)
      process.exitCode = 1
    } else {
      console.log(`training: still ${job.status} after ${maxTrainingSeconds} s (raise --max-training-seconds or lower --rows)`)
      process.exitCode = 1
    }
  }
  if (preview) {
    const times = preview.previews.map((p) => p.ms / 1000).sort((a, b) => a - b)
    const window = preview.previews[0]?.window
    if (times.length > 0 && window) {
      console.log(
        `previews: ${times.length} back to back, ${times.map((t) => t.toFixed(1)).join(' / ')} s each (call to answer); window ${window.transactions.toLocaleString()} rows ` +
          `(bounded by ${window.boundedBy}) of ${window.historyReplayed.toLocaleString()} replayed`,
      )
    }
    if (preview.failure !== null) {
      console.log(`preview failed: ${preview.failure}`)
      process.exitCode = 1
    }
  }
} finally {
  await db.end().catch(() => undefined)
  await server.stop()
}

interface PreviewAnswer {
  computedMs: number
  window: { transactions: number; boundedBy: string; historyReplayed: number }
}

interface PreviewTiming {
  ms: number
  computedMs: number
  window: PreviewAnswer['window']
}

/**
 * The version to preview: one the training registered and left inactive, else the
 * shipped model's files registered as 1.0.0-bench (the same model on both sides: the
 * work is the same, nothing moves).
 */
async function previewCandidateId(target: typeof server): Promise<string> {
  const listed = (await target.query('models.list', target.sessionToken)) as { versions: { id: string; isActive: boolean }[] }
  const waiting = listed.versions.find((v) => !v.isActive && v.id !== SHIPPED_DEFAULT_ID)
  if (waiting) return waiting.id
  const file = (name: string) => readFileSync(path.join(DEFAULT_MODEL_DIR, name))
  const manifest = JSON.parse(file('manifest.json').toString('utf8')) as Record<string, unknown>
  const onnx = file('model.onnx')
  const registered = (await target.call('models.register', target.sessionToken, {
    manifest: JSON.stringify({ ...manifest, version: '1.0.0-bench' }),
    onnxBase64: onnx.toString('base64'),
    treesBase64: file('model.json').toString('base64'),
    sha256: createHash('sha256').update(onnx).digest('hex'),
  })) as { id: string }
  return registered.id
}

interface SeedResult {
  rows: number
  frauds: number
  falsePositives: number
  early: { frauds: number; falsePositives: number }
  late: { frauds: number; falsePositives: number }
}

/**
 * Streams the generator into "Transaction" in batches (memory holds one batch), then
 * raises the decided alerts ("Anomaly" with the decision as status, which is what the
 * training reads) and their decisions ("AnomalyLabel") in two INSERT ... SELECTs.
 */
async function seedHistory(client: pg.Client, orgId: string): Promise<SeedResult> {
  // About 1.9 transactions per customer a day: enough customers to pass --rows within the days.
  const customers = Math.ceil((rowCount / (HISTORY_DAYS * 1.9)) * 1.05)
  const generated = generateTransactions({
    seed: 22,
    customers,
    terminals: customers * 2,
    days: HISTORY_DAYS,
    startDate: historyStart,
    noisyMerchants: Math.ceil(customers / 50),
    txIdPrefix: 'hist',
  })
  const decidedTxIds: string[] = []
  const decisions: ('CONFIRMED_FRAUD' | 'FALSE_POSITIVE')[] = []
  // The training's time split is by row in time order; the generator yields in time order.
  const split = Math.floor(rowCount * (1 - HOLDOUT_FRACTION))
  const counts = { early: { frauds: 0, falsePositives: 0 }, late: { frauds: 0, falsePositives: 0 } }
  let batch: TTransaction[] = []
  let rows = 0
  for (const { transaction, isFraud } of generated) {
    const decision = isFraud ? 'CONFIRMED_FRAUD' : transaction.amount >= FALSE_POSITIVE_AMOUNT ? 'FALSE_POSITIVE' : null
    if (decision) {
      decidedTxIds.push(transaction.txId)
      decisions.push(decision)
      const side = rows < split ? counts.early : counts.late
      if (decision === 'CONFIRMED_FRAUD') side.frauds += 1
      else side.falsePositives += 1
    }
    batch.push(transaction)
    rows += 1
    if (batch.length === SEED_BATCH || rows === rowCount) {
      await insertTransactions(client, orgId, batch)
      batch = []
    }
    if (rows === rowCount) break
  }
  if (rows < rowCount) throw new Error(`the generator gave ${rows} transactions, fewer than --rows ${rowCount}`)
  for (const [side, c] of Object.entries(counts)) {
    if (c.frauds < MIN_CONFIRMED_FRAUDS || c.falsePositives < MIN_FALSE_POSITIVES) {
      throw new Error(
        `seeded decisions too few in the ${side} part: ${c.frauds} frauds and ${c.falsePositives} false positives (training needs ${MIN_CONFIRMED_FRAUDS} and ${MIN_FALSE_POSITIVES}); raise --rows`,
      )
    }
  }
  await client.query(
    `INSERT INTO "Anomaly" (id, "orgId", "transactionId", score, severity, "ruleViolations", explanation, status, "isFalsePositive", "updatedAt")
     SELECT gen_random_uuid(), $1, t.id,
            CASE WHEN d.status = 'CONFIRMED_FRAUD' THEN 0.9 ELSE 0.7 END, 'HIGH', '{}', 'seeded by bench:training',
            d.status::"AnomalyStatus", d.status = 'FALSE_POSITIVE', now()
       FROM unnest($2::text[], $3::text[]) AS d("txId", status)
       JOIN "Transaction" t ON t."orgId" = $1 AND t."txId" = d."txId"`,
    [orgId, decidedTxIds, decisions],
  )
  await client.query(
    `INSERT INTO "AnomalyLabel" (id, "orgId", "anomalyId", label, "decidedBy", "decidedAt", "mutationId")
     SELECT gen_random_uuid(), "orgId", id, status::text::"LabelKind", 'bench', now(), gen_random_uuid()::text
       FROM "Anomaly" WHERE "orgId" = $1 AND status IN ('CONFIRMED_FRAUD', 'FALSE_POSITIVE')`,
    [orgId],
  )
  // As autovacuum would after a load this size: fresh statistics and visibility map, so
  // neither phase pays for the bulk load.
  await client.query('VACUUM ANALYZE "Transaction", "Anomaly", "AnomalyLabel"')
  const frauds = counts.early.frauds + counts.late.frauds
  return { rows, frauds, falsePositives: decisions.length - frauds, ...counts }
}

/** New transactions after the history, for the ingest calls (never runs out). */
function* liveTransactions(): Generator<TTransaction> {
  const today = utcDay(Date.now())
  for (let round = 0; ; round += 1) {
    for (const g of generateTransactions({ seed: 900 + round, customers: 2_000, terminals: 4_000, days: 2, startDate: today, txIdPrefix: `live${round}` })) {
      yield g.transaction
    }
  }
}

/**
 * Sends at `rate` calls per second while `more()` holds (a late call is sent at once,
 * never skipped), then waits for the calls in flight. Bounded by `more`, which every
 * caller ties to a clock.
 */
async function atFixedRate(send: () => Promise<unknown>, more: () => boolean, onLatency: (ms: number, sentAt: number) => void): Promise<void> {
  const startedAt = performance.now()
  const inflight: Promise<void>[] = []
  for (let i = 0; more(); i += 1) {
    const wait = i * (1000 / rate) - (performance.now() - startedAt)
    if (wait > 0) await sleep(wait)
    const t0 = performance.now()
    inflight.push(send().then(() => onLatency(performance.now() - t0, t0)))
  }
  await Promise.all(inflight)
}

async function trainingStatus(client: pg.Client, id: string): Promise<string> {
  const result = await client.query<{ status: string }>(`SELECT status::text FROM "TrainingJob" WHERE id = $1`, [id])
  const status = result.rows[0]?.status
  if (!status) throw new Error(`training job ${id} is not in the database`)
  return status
}

interface FinishedJob {
  status: string
  seconds: number
  failureReason: string | null
  trainingSeconds?: number
  replayed?: number
  kept?: number
  decision?: string
}

/** The job's row once it left PROCESSING (waits up to 30 s more for the last writes). */
async function finishedJob(client: pg.Client, id: string): Promise<FinishedJob> {
  const until = performance.now() + 30_000
  for (;;) {
    const { rows } = await client.query<{ status: string; startedAt: Date | null; completedAt: Date | null; failureReason: string | null; report: unknown }>(
      `SELECT status::text, "startedAt", "completedAt", "failureReason", report FROM "TrainingJob" WHERE id = $1`,
      [id],
    )
    const row = rows[0]
    if (!row) throw new Error(`training job ${id} is not in the database`)
    const done = row.status === 'COMPLETED' || row.status === 'FAILED'
    if (done || performance.now() > until) {
      const report = (row.report ?? {}) as Partial<Pick<FinishedJob, 'trainingSeconds' | 'replayed' | 'kept' | 'decision'>>
      const end = row.completedAt?.getTime() ?? Date.now()
      return {
        status: row.status,
        seconds: row.startedAt ? (end - row.startedAt.getTime()) / 1000 : Number.NaN,
        failureReason: row.failureReason,
        ...report,
      }
    }
    await sleep(500)
  }
}

function latencyRow(label: string, latencies: number[]): string[] {
  const sorted = [...latencies].sort((a, b) => a - b)
  const at = (p: number) => (sorted.length === 0 ? '-' : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!.toFixed(1))
  return [label, at(0.5), at(0.99), String(sorted.length)]
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)))
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n')
}

function positiveInteger(flag: string, raw: string | undefined, min: number, max: number): number {
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`${flag} must be a whole number from ${min} to ${max}, got "${raw}"\n${USAGE}`)
    process.exit(2)
  }
  return value
}

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

function secondsSince(t0: number): string {
  return ((performance.now() - t0) / 1000).toFixed(1)
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
