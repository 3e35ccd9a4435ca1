/**
 * pnpm bench:feedback [--weeks N] [--window-days D] [--no-500k] [--data FILE]
 *
 * Replays ../shared/data/fraud-handbook/ day by day through the product's detection
 * engine and feedback path (in-process: the streaming FeatureEngine that ingestion
 * uses, the retraining code of the 'retrain-model' job, the evaluation functions of
 * its report). Each day's labels are revealed 7 days later as analyst feedback (they
 * feed merchant risk and become training labels); every week a model is retrained on
 * the revealed labels of the last D days. Per test week it prints, for the
 * unsupervised-only model (isolation forest retrained weekly, no labels) and the
 * feedback-trained one: average precision, card precision@100 (handbook protocol,
 * cards already known compromised removed) and false positives per 1,000
 * transactions at each model's alert threshold. Then it times one training on
 * 500,000 transactions (goal: under 60 s).
 */
import { createReadStream, existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type TTransaction } from '@anomalyze/shared'
import {
  averagePrecision,
  evaluateScores,
  FEATURE_NAMES,
  FeatureEngine,
  RECOMMENDED_TRAINING,
  scoreFeatureBatch,
  trainAnomalyModel,
  trainWithFeedback,
  type AnomalyModel,
} from '@anomalyze/shared/engine'
import { readTransactionsCsv } from '@anomalyze/shared/node'
import { cardPrecisionAtK, type ScoredTx } from '../../../packages/shared/bench/card-precision.ts'

const DAY = 86_400_000
const DELAY_DAYS = 7
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
const maxWeeks = Number(arg('--weeks') ?? '7')
const windowDays = Number(arg('--window-days') ?? '14')
const time500k = !args.includes('--no-500k')
if (!existsSync(dataPath)) {
  process.stdout.write(`bench:feedback skipped: ${dataPath} not found\n`)
  process.exit(0)
}
if (!Number.isInteger(maxWeeks) || maxWeeks < 1) throw new Error('--weeks must be a positive integer')

const width = FEATURE_NAMES.length
const t0 = Date.now()
const txs: TTransaction[] = []
const fraud: number[] = []
for await (const row of readTransactionsCsv(createReadStream(dataPath))) {
  if (!row.result.ok) continue
  txs.push(row.result.transaction)
  fraud.push(row.result.label ? 1 : 0)
}
const order = txs.map((_, i) => i).sort((a, b) => txs[a]!.timestamp - txs[b]!.timestamp || a - b)
const sorted = order.map((i) => txs[i]!)
const labels = Uint8Array.from(order, (i) => fraud[i]!)
const start = Math.floor(sorted[0]!.timestamp / DAY) * DAY
const dayOf = (k: number): number => Math.floor((sorted[k]!.timestamp - start) / DAY)
const days = dayOf(sorted.length - 1) + 1
process.stdout.write(`loaded ${sorted.length.toLocaleString()} transactions over ${days} days in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`)

// Day boundaries in the sorted order.
const dayStart: number[] = []
for (let k = 0, d = 0; d <= days; d += 1) {
  while (k < sorted.length && dayOf(k) < d) k += 1
  dayStart.push(k)
}

const engine = new FeatureEngine()
const features = new Float32Array(sorted.length * width)
const revealed = new Uint8Array(sorted.length)
const slice = (from: number, to: number) => features.subarray(from * width, to * width)

interface WeekRow {
  week: string
  transactions: number
  frauds: number
  unsupervised: Figures
  feedback: Figures
}
interface Figures {
  ap: number
  cp100: number
  fpPer1000: number
}
const results: WeekRow[] = []
let unsupervised: AnomalyModel | null = null
let supervised: AnomalyModel | null = null
const trainSeconds: number[] = []
const compromised = new Set<string>()
let revealCursor = 0

for (let day = 0; day < days; day += 1) {
  // A new week: retrain on what is known so far (labels revealed so far only).
  if (day % 7 === 0 && day >= DELAY_DAYS + 7) {
    const week = day / 7
    if (results.length >= maxWeeks) break
    const from = dayStart[Math.max(0, day - DELAY_DAYS - windowDays)]!
    const to = dayStart[day - DELAY_DAYS]!
    const rows = slice(from, to)
    unsupervised = trainAnomalyModel(slice(dayStart[Math.max(0, day - windowDays)]!, dayStart[day]!), { isolation: RECOMMENDED_TRAINING.isolation }).model
    const started = Date.now()
    const y = labels.subarray(from, to)
    const decided = Uint8Array.from(y)
    supervised = trainWithFeedback(rows, { labels: y, decided, holdoutFraction: 0 }).model
    trainSeconds.push((Date.now() - started) / 1000)
    // Evaluate on this week, as it streams in.
    const wFrom = dayStart[day]!
    const wTo = dayStart[Math.min(days, day + 7)]!
    for (let k = wFrom; k < wTo; k += 1) {
      engine.process(sorted[k]!, features.subarray(k * width, (k + 1) * width))
      revealLabels(k)
    }
    const weekRows = slice(wFrom, wTo)
    const weekLabels = labels.subarray(wFrom, wTo)
    const figures = (model: AnomalyModel): Figures => {
      const scores = scoreFeatureBatch(model, weekRows)
      const scored: ScoredTx[] = []
      for (let k = wFrom; k < wTo; k += 1) {
        const card = sorted[k]!.accountId
        // Cards known compromised (their fraud revealed) are not shown to analysts again.
        if (compromised.has(card)) continue
        scored.push({ day: dayOf(k), card, score: scores[k - wFrom]!, fraud: labels[k] === 1 })
      }
      const evaluation = evaluateScores(scores, weekLabels, model.thresholds.medium, model.alertBudget.medium)
      return { ap: averagePrecision(scores, weekLabels), cp100: cardPrecisionAtK(scored, 100), fpPer1000: evaluation.falsePositivesPer1000 }
    }
    results.push({
      week: `${new Date(start + day * DAY).toISOString().slice(0, 10)} (week ${week})`,
      transactions: wTo - wFrom,
      frauds: weekLabels.reduce((a, b) => a + b, 0),
      unsupervised: figures(unsupervised),
      feedback: figures(supervised),
    })
    const r = results.at(-1)!
    process.stdout.write(
      `${r.week}: ${r.transactions} tx, ${r.frauds} frauds | unsupervised AP ${r.unsupervised.ap.toFixed(3)} CP@100 ${r.unsupervised.cp100.toFixed(3)} FP/1000 ${r.unsupervised.fpPer1000.toFixed(1)}` +
        ` | feedback AP ${r.feedback.ap.toFixed(3)} CP@100 ${r.feedback.cp100.toFixed(3)} FP/1000 ${r.feedback.fpPer1000.toFixed(1)} (trained in ${trainSeconds.at(-1)!.toFixed(1)} s on ${(to - from).toLocaleString()} rows)\n`,
    )
    day += 6
    continue
  }
  for (let k = dayStart[day]!; k < dayStart[day + 1]!; k += 1) {
    engine.process(sorted[k]!, features.subarray(k * width, (k + 1) * width))
    revealLabels(k)
  }
}

/** Labels of transactions DELAY_DAYS older than `k` become known: merchant risk and compromised cards. */
function revealLabels(k: number): void {
  const cutoff = sorted[k]!.timestamp - DELAY_DAYS * DAY
  while (revealCursor < k && sorted[revealCursor]!.timestamp <= cutoff) {
    const j = revealCursor
    revealed[j] = 1
    if (labels[j] === 1) {
      engine.label(sorted[j]!, true)
      compromised.add(sorted[j]!.accountId)
    }
    revealCursor += 1
  }
}

const mean = (pick: (r: WeekRow) => number): number => results.reduce((a, r) => a + pick(r), 0) / Math.max(results.length, 1)
process.stdout.write(
  `\nmean over ${results.length} weeks | unsupervised-only: AP ${mean((r) => r.unsupervised.ap).toFixed(3)}, CP@100 ${mean((r) => r.unsupervised.cp100).toFixed(3)}, FP/1000 ${mean((r) => r.unsupervised.fpPer1000).toFixed(1)}` +
    ` | feedback-trained: AP ${mean((r) => r.feedback.ap).toFixed(3)}, CP@100 ${mean((r) => r.feedback.cp100).toFixed(3)}, FP/1000 ${mean((r) => r.feedback.fpPer1000).toFixed(1)}\n`,
)

if (time500k) {
  const n = Math.min(500_000, sorted.length)
  const y = labels.subarray(0, n)
  const started = Date.now()
  trainWithFeedback(slice(0, n), { labels: y, decided: Uint8Array.from(y), holdoutFraction: 0.2 })
  process.stdout.write(
    `training on ${n.toLocaleString()} transactions (${y.reduce((a, b) => a + b, 0)} frauds, retraining job settings): ${((Date.now() - started) / 1000).toFixed(1)} s (goal < 60 s)\n`,
  )
}
