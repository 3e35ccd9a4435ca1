/**
 * Detection quality on the Fraud Detection Handbook's simulated data, with the
 * handbook's protocol (chapter 3.4 / 5): train on 7 days, leave a 7-day delay in
 * which labels are unknown, test on the next 7 days; feedback (terminal/account risk)
 * uses only labels older than 7 days; cards already known to be compromised are
 * removed from each test day. Local file only; bounded by the file's size.
 *
 *   pnpm bench:quality [--data FILE] [--train-start YYYY-MM-DD]
 */
import { createReadStream, existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { FEATURE_NAMES } from '../src/detection/features/compute-features.ts'
import { FeatureEngine } from '../src/detection/features/feature-engine.ts'
import { scoreFeatureBatch } from '../src/detection/models/anomaly-model.ts'
import { RECOMMENDED_TRAINING, trainAnomalyModel, type TrainOptions } from '../src/detection/models/train-model.ts'
import { aucRoc, averagePrecision } from '../src/detection/metrics.ts'
import type { TTransaction } from '../src/transactions/transaction-input.ts'
import { readTransactionsCsv } from '../src/node/csv/read-transactions-csv.ts'
import { cardPrecisionAtK, type ScoredTx } from './card-precision.ts'
import { reachableCardPrecision, unseeableFrauds } from './reachable.ts'

const DAY = 86_400_000
const args = process.argv.slice(2)
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))
const dataPath = resolve(
  process.env.INIT_CWD ?? process.cwd(),
  arg('--data') ?? resolve(repoRoot, '../shared/data/fraud-handbook/transactions-2018-04-to-05.csv'),
)
const trainStart = Date.parse(`${arg('--train-start') ?? '2018-05-01'}T00:00:00Z`)
if (!existsSync(dataPath)) {
  process.stdout.write(`bench:quality skipped: ${dataPath} not found\n`)
  process.exit(0)
}
if (Number.isNaN(trainStart)) throw new Error('--train-start must be YYYY-MM-DD')

const started = Date.now()
const width = FEATURE_NAMES.length
const txs: TTransaction[] = []
const labels: number[] = []
// The simulator's fraud scenario, when the file has it: only for the ceiling lines.
const scenarios: number[] = []
let scenarioColumn = -1
const onHeader = ({ headers }: { headers: string[] }): void => {
  scenarioColumn = headers.findIndex((h) => h.trim().toUpperCase() === 'TX_FRAUD_SCENARIO')
}
for await (const row of readTransactionsCsv(createReadStream(dataPath), { onHeader })) {
  if (!row.result.ok) continue
  txs.push(row.result.transaction)
  labels.push(row.result.label ? 1 : 0)
  scenarios.push(scenarioColumn >= 0 ? Number(row.values[scenarioColumn]) : 0)
}
// Features in time order; every label is fed back at once and the state itself only
// uses labels older than the 7-day delay.
const order = txs.map((_, i) => i).sort((a, b) => (txs[a] as TTransaction).timestamp - (txs[b] as TTransaction).timestamp || a - b)
const engine = new FeatureEngine()
const features = new Float32Array(txs.length * width)
for (const i of order) {
  const tx = txs[i] as TTransaction
  engine.process(tx, features.subarray(i * width, (i + 1) * width))
  if (labels[i]) engine.label(tx, true)
}
const dayOf = (i: number): number => Math.floor(((txs[i] as TTransaction).timestamp - trainStart) / DAY)
const trainIdx = order.filter((i) => dayOf(i) >= 0 && dayOf(i) < 7)
const known = new Set(trainIdx.filter((i) => labels[i]).map((i) => (txs[i] as TTransaction).accountId))
const testIdx: number[] = []
for (let d = 0; d < 7; d += 1) {
  // Frauds of the day delay+1 before this test day become known (handbook protocol).
  for (const i of order) if (dayOf(i) === 7 + d - 1 && labels[i]) known.add((txs[i] as TTransaction).accountId)
  for (const i of order) if (dayOf(i) === 14 + d && !known.has((txs[i] as TTransaction).accountId)) testIdx.push(i)
}
const pickRows = (idx: number[]): Float32Array => {
  const out = new Float32Array(idx.length * width)
  idx.forEach((i, k) => out.set(features.subarray(i * width, (i + 1) * width), k * width))
  return out
}
const trainRows = pickRows(trainIdx)
const testRows = pickRows(testIdx)
const trainLabels = Uint8Array.from(trainIdx, (i) => labels[i] as number)
const testLabels = Uint8Array.from(testIdx, (i) => labels[i] as number)
const prepared = Date.now()

function evaluate(name: string, options: TrainOptions): ScoredTx[] {
  const t0 = Date.now()
  const { model } = trainAnomalyModel(trainRows, { ...options, holdoutFraction: 0 })
  const trainMs = Date.now() - t0
  const scores = scoreFeatureBatch(model, testRows)
  const scored: ScoredTx[] = testIdx.map((i, k) => ({
    day: dayOf(i),
    card: (txs[i] as TTransaction).accountId,
    score: scores[k] as number,
    fraud: labels[i] === 1,
  }))
  const line = `| ${name} | ${aucRoc(scores, testLabels).toFixed(3)} | ${averagePrecision(scores, testLabels).toFixed(3)} | ${cardPrecisionAtK(scored, 100).toFixed(3)} | ${(trainMs / 1000).toFixed(1)} s |`
  process.stdout.write(`${line}\n`)
  return scored
}

process.stdout.write(
  `data: ${dataPath}\nrows: ${txs.length}, train ${trainIdx.length} (${trainLabels.reduce((a, b) => a + b, 0)} frauds) from ${new Date(trainStart).toISOString().slice(0, 10)}, ` +
    `test ${testIdx.length} (${testLabels.reduce((a, b) => a + b, 0)} frauds); read + features ${((prepared - started) / 1000).toFixed(1)} s\n\n` +
    '| model | AUC ROC | average precision | card precision@100 | train time |\n|---|---|---|---|---|\n',
)
const productScored = evaluate('supervised: gradient-boosted trees + 20% isolation blend (product default)', { ...RECOMMENDED_TRAINING, labels: trainLabels })
evaluate('supervised: gradient-boosted trees alone', { ...RECOMMENDED_TRAINING, isolationBlend: 0, labels: trainLabels })
evaluate('unsupervised: isolation forest alone (no labels)', { isolation: RECOMMENDED_TRAINING.isolation })

// Ceilings: what any model could reach on this test week (see reachable.ts).
const unseeable =
  scenarioColumn >= 0
    ? unseeableFrauds(
        txs.map((tx, i) => ({ terminal: tx.merchantId, timestamp: tx.timestamp, fraud: labels[i] === 1, scenario: scenarios[i] as number })),
        7 * DAY,
      )
    : null
const testUnseeable = unseeable ? testIdx.map((i) => unseeable[i] as boolean) : undefined
const reachable = reachableCardPrecision(productScored, 100, testUnseeable)
process.stdout.write(`\ncard precision@100 ceilings: perfect ranking ${reachable.perfect.toFixed(3)}`)
if (reachable.seeable !== null) {
  const hidden = testUnseeable?.filter(Boolean).length ?? 0
  process.stdout.write(
    `; seeable frauds first, then the product default's order ${reachable.seeable.toFixed(3)} ` +
      `(${hidden} of ${testLabels.reduce((a, b) => a + b, 0)} test frauds are unseeable: their terminal was compromised less than the 7-day label delay earlier)`,
  )
}
process.stdout.write('\n')
