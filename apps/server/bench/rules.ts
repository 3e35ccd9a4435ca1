// pnpm bench:rules: a rule backtest over a million stored transactions (goal: one rule
// in under 10 s), with a plain SQL count of the same condition in the same run.
//
//   pnpm bench:rules [--rows 1000000]
//
// Runs in-process on a throwaway embedded Postgres (loopback only, bounded by --rows).
// The rows are generated inside Postgres (INSERT ... SELECT generate_series) into a
// fresh organisation, 1% of them alerts with decisions, over 30 days; the backtests run
// the worker's own code (runBacktest: one snapshot cursor, fresh feature state, both
// rule sets per row) over the 30 days. It checks that the backtest's hit count of the
// transaction-field rule equals SQL's count (exit 1 if not), then times a feature rule.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import type { RuleDefinition } from '@anomalyze/shared'
import { startEmbeddedPostgres } from '../src/db/embedded-postgres.ts'
import { ensureDatabase, migrateDatabase } from '../src/db/migrate.ts'
import { createPrismaClient, sqlPoolOf, type Db } from '../src/db/prisma.ts'
import { findFreePort } from '../src/net/find-free-port.ts'
import { featureConfigFor } from '../src/services/entities/feature-config-for.ts'
import { createModelRegistry } from '../src/services/models/model-registry.ts'
import { ensurePersonalWorkspace } from '../src/services/organizations/workspaces.ts'
import { createBacktestRow } from '../src/services/rules/backtest/backtest-store.ts'
import { runBacktest } from '../src/services/rules/backtest/run-backtest.ts'
import { createLocalFolderStore } from '../src/storage/local-folder-store.ts'
import { createLinkSigner } from '../src/storage/signed-links.ts'

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, help: { type: 'boolean' } } })
if (values.help) {
  console.log('usage: pnpm bench:rules [--rows N]   (loopback only, N from 1,000 to 5,000,000)')
  process.exit(0)
}
const rows = Number(values.rows)
if (!Number.isInteger(rows) || rows < 1_000 || rows > 5_000_000) throw new Error('--rows must be an integer from 1,000 to 5,000,000')

const ORG = 'bench_rules'
const DAYS = 30
const START = Date.UTC(2026, 0, 1)
const rule = (name: string, expression: string): RuleDefinition => ({
  name,
  expression,
  description: '',
  mode: 'ACTIVE',
  severityFloor: null,
  scoreBoost: null,
})
const FIELD_RULE = rule('BIG_RISKY_COUNTRY', 'amount >= 900 and country in ("RU", "NG")')
const FIELD_RULE_SQL = `amount >= 900 AND country IN ('RU', 'NG')`
const FEATURE_RULE = rule('SPIKE', 'acct_amount_ratio >= 4 and acct_history_count >= 5')
const seconds = (from: number): number => (performance.now() - from) / 1000
const perSecond = (n: number, s: number): string => Math.round(n / s).toLocaleString('en-US')

/** Amounts mostly small, one in 53 large (900 to 4,900), two decimals: float32 features keep them exact enough for `>= 900`. */
async function seed(db: Db): Promise<void> {
  await ensurePersonalWorkspace(db, { id: ORG, name: ORG })
  await db.$executeRaw`
    INSERT INTO "Transaction" (id, "orgId", "txId", timestamp, amount, currency, "accountId", "merchantId", category, country, channel, source)
    SELECT gen_random_uuid()::text, ${ORG}, 'r-' || g,
           (${new Date(START).toISOString()}::timestamptz AT TIME ZONE 'UTC') + (g - 1) * (interval '1 day' * ${DAYS} / ${rows}::int),
           (CASE WHEN g % 53 = 0 THEN 900 + (g * 31 % 400000) / 100.0 ELSE 1 + (g * 37 % 20000) / 100.0 END)::numeric(18, 4),
           'INR', 'acct-' || (g::bigint * 7919 % 20000), 'M' || (g % 5000),
           CASE WHEN g % 9 = 0 THEN NULL ELSE 'retail' END,
           (ARRAY['IN', 'IN', 'US', 'GB', 'RU', 'NG', 'IN'])[1 + g % 7], 'online', 'REALTIME_API'
      FROM generate_series(1, ${rows}::int) AS g`
  await db.$executeRaw`
    INSERT INTO "Anomaly" (id, "orgId", "transactionId", score, severity, "ruleViolations", explanation, status, "createdAt", "updatedAt")
    SELECT gen_random_uuid()::text, t."orgId", t.id, 0.9, 'HIGH', ARRAY[]::text[], 'bench',
           (ARRAY['OPEN', 'CONFIRMED_FRAUD', 'FALSE_POSITIVE'])[1 + abs(hashtext(t.id)) % 3]::"AnomalyStatus", now(), now()
      FROM "Transaction" t
     WHERE t."orgId" = ${ORG} AND abs(hashtext(t."txId")) % 100 = 0`
  await db.$executeRawUnsafe('ANALYZE "Transaction"; ')
  await db.$executeRawUnsafe('ANALYZE "Anomaly"')
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'anomalyze-bench-rules-'))
chmodSync(dir, 0o755)
console.log(`machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}`)
const postgres = await startEmbeddedPostgres({ dir: path.join(dir, 'pg'), port: await findFreePort(), ephemeral: true })
let failed = false
try {
  await ensureDatabase(postgres.adminUrl, 'bench')
  const url = postgres.urlFor('bench')
  await migrateDatabase(url)
  const db = createPrismaClient(url, 4)
  const log = pino({ level: 'warn' })
  const storage = createLocalFolderStore({
    root: path.join(dir, 'objects'),
    signer: createLinkSigner('bench-link-secret-0123456789'),
    publicUrl: () => 'http://127.0.0.1:1',
  })
  const models = createModelRegistry({ storage, log })

  let t = performance.now()
  await seed(db)
  console.log(`seeded ${rows.toLocaleString('en-US')} transactions over ${DAYS} days (1% alerts with decisions) in ${seconds(t).toFixed(1)} s`)
  // A running server has its model loaded already: load it before timing.
  await featureConfigFor(models, db, ORG)

  const backtest = async (tested: RuleDefinition): Promise<{ hits: number; transactions: number; seconds: number; cpu: number }> => {
    const row = await createBacktestRow(db, ORG, ORG, [tested], DAYS)
    const started = performance.now()
    const cpuBefore = process.cpuUsage()
    await runBacktest({ db, models, log }, row.id)
    const s = seconds(started)
    const cpuUsed = process.cpuUsage(cpuBefore)
    // This process's CPU (user + system): less at the mercy of other work on the machine than the wall time.
    const cpu = (cpuUsed.user + cpuUsed.system) / 1e6
    const done = await db.ruleBacktest.findUniqueOrThrow({ where: { id: row.id } })
    const result = done.result as { transactions: number; rules: { hits: number }[] } | null
    if (done.status !== 'COMPLETED' || result === null) throw new Error(`backtest ${done.status}: ${done.failureReason ?? ''}`)
    return { hits: result.rules[0]?.hits ?? -1, transactions: result.transactions, seconds: s, cpu }
  }

  const field = await backtest(FIELD_RULE)
  console.log(
    `backtest "${FIELD_RULE.expression}": ${field.transactions.toLocaleString('en-US')} transactions in ${field.seconds.toFixed(2)} s = ${perSecond(field.transactions, field.seconds)} rows/s (goal < 10 s; Node CPU ${field.cpu.toFixed(2)} s), ${field.hits.toLocaleString('en-US')} hits`,
  )
  t = performance.now()
  const { rows: counted } = await sqlPoolOf(db).query<{ n: number }>(`SELECT count(*)::int AS n FROM "Transaction" WHERE "orgId" = $1 AND ${FIELD_RULE_SQL}`, [
    ORG,
  ])
  const sqlHits = counted[0]?.n ?? -1
  const sqlSeconds = seconds(t)
  console.log(
    `plain SQL count(*) of the same condition: ${sqlHits.toLocaleString('en-US')} rows in ${sqlSeconds.toFixed(2)} s (the backtest takes ${(field.seconds / sqlSeconds).toFixed(0)}x as long)`,
  )
  if (sqlHits !== field.hits) {
    console.log(`MISMATCH: the backtest counted ${field.hits} hits, SQL ${sqlHits}`)
    failed = true
  } else {
    console.log('hit counts agree')
  }

  const feature = await backtest(FEATURE_RULE)
  console.log(
    `backtest "${FEATURE_RULE.expression}": ${feature.transactions.toLocaleString('en-US')} transactions in ${feature.seconds.toFixed(2)} s = ${perSecond(feature.transactions, feature.seconds)} rows/s (Node CPU ${feature.cpu.toFixed(2)} s), ${feature.hits.toLocaleString('en-US')} hits`,
  )
  await db.$disconnect()
} finally {
  await postgres.stop()
  rmSync(dir, { recursive: true, force: true })
}
if (failed) process.exit(1)
