/**
 * Detection quality on the Fraud Detection Handbook's simulated data, with the
 * handbook's protocol (chapters 3.4 / 5) on every rolling week the file supports:
 * train on 7 days, leave a 7-day delay in which labels are unknown, test on the next
 * 7 days; feedback (terminal/account risk) uses only labels older than 7 days; cards
 * already known to be compromised are removed from each test day. Features are
 * computed once and reused by every week. Local file only; bounded by the file's size.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { RECOMMENDED_TRAINING } from '../src/detection/models/train-model.ts'
import { DAY_MS, readHandbookData } from './handbook-data.ts'
import { reachableCardPrecision, seeableFirstAuc, unseeableFrauds } from './reachable.ts'
import {
  DEFAULT_WARMUP_DAYS,
  dayNumber,
  isoDay,
  PROTOCOL_DAYS,
  rollingTrainStarts,
  TRAIN_DAYS,
  DELAY_DAYS,
  TEST_DAYS,
  weekSplit,
  type WeekSplit,
} from './rolling-weeks.ts'
import { fixed3, formatTable } from './text-table.ts'
import { evaluateWeek, productCandidate, scoredRows, summarise, type Candidate, type WeekFigures } from './week-evaluation.ts'

const USAGE = `Usage: pnpm bench:quality [options]

Trains and tests the product's models with the handbook protocol (train ${TRAIN_DAYS} days,
${DELAY_DAYS}-day label delay, test ${TEST_DAYS} days) on every rolling test week of the file, and
prints each week's AUC ROC, average precision and card precision@100, with the mean
and the worst week per model.

Options:
  --data FILE               handbook CSV (default: /work/shared/data/fraud-handbook/transactions-2018-04-to-05.csv)
  --train-start YYYY-MM-DD  one week only, training from this day (e.g. 2018-05-01: the old development week)
  --weeks N                 only the N latest rolling weeks (--weeks 1: the last week, for quick checks)
  --warmup-days N           days of history before the first training day (default ${DEFAULT_WARMUP_DAYS})
  --help                    this text
`

const args = process.argv.slice(2)
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(USAGE)
  process.exit(0)
}
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const fail = (message: string): never => {
  process.stderr.write(`bench:quality: ${message}\n\n${USAGE}`)
  process.exit(2)
}
const wholeNumber = (name: string, fallback: number, min: number): number => {
  const text = arg(name)
  if (text === undefined) return fallback
  const n = Number(text)
  return Number.isInteger(n) && n >= min ? n : fail(`${name} must be a whole number >= ${min}, got "${text}"`)
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))
const dataPath = resolve(
  process.env.INIT_CWD ?? process.cwd(),
  arg('--data') ?? resolve(repoRoot, '../shared/data/fraud-handbook/transactions-2018-04-to-05.csv'),
)
const trainStartArg = arg('--train-start')
const singleStart = trainStartArg === undefined ? null : dayNumber(trainStartArg)
if (singleStart !== null && Number.isNaN(singleStart)) fail(`--train-start must be YYYY-MM-DD, got "${trainStartArg}"`)
const weekLimit = wholeNumber('--weeks', Number.POSITIVE_INFINITY, 1)
const warmupDays = wholeNumber('--warmup-days', DEFAULT_WARMUP_DAYS, 0)
if (!existsSync(dataPath)) {
  process.stdout.write(`bench:quality skipped: ${dataPath} not found\n`)
  process.exit(0)
}

const started = performance.now()
const data = await readHandbookData(dataPath)
const prepared = performance.now()
const allStarts = singleStart === null ? rollingTrainStarts(data.firstDay, data.lastDay, warmupDays) : [singleStart]
const starts = allStarts.slice(Math.max(0, allStarts.length - weekLimit))
if (singleStart !== null && (singleStart < data.firstDay || singleStart + PROTOCOL_DAYS - 1 > data.lastDay)) {
  fail(`--train-start ${trainStartArg}: the ${PROTOCOL_DAYS} days from it must lie within the file (${isoDay(data.firstDay)}..${isoDay(data.lastDay)})`)
}
if (starts.length === 0) fail(`no test week fits between ${isoDay(data.firstDay)} and ${isoDay(data.lastDay)} with ${warmupDays} warm-up days`)

const candidates: Candidate[] = [
  productCandidate(`product default (${describeDefault()})`, RECOMMENDED_TRAINING),
  productCandidate('supervised: gradient-boosted trees alone', { ...RECOMMENDED_TRAINING, isolationBlend: 0 }),
  productCandidate('unsupervised: isolation forest alone (no labels)', { isolation: RECOMMENDED_TRAINING.isolation }, false),
]

function describeDefault(): string {
  const { boosting, isolationBlend, isolationBlendRule } = RECOMMENDED_TRAINING
  const trees = `boosted trees ${boosting.rounds} rounds, depth ${boosting.maxDepth}, rate ${boosting.learningRate}`
  if (isolationBlend <= 0) return trees
  return isolationBlendRule === 'raise'
    ? `${trees}, raised by ${isolationBlend} x isolation x (1 - p)`
    : `${trees} + ${Math.round(isolationBlend * 100)}% isolation blend`
}

// Which frauds no feature can see yet (their terminal's compromise is younger than the
// label delay): only for the ceiling lines, when the file has the simulator's scenarios.
const unseeable = data.scenarios
  ? unseeableFrauds(
      Array.from({ length: data.count }, (_, i) => ({
        terminal: data.terminals[i] as string,
        timestamp: data.timestamps[i] as number,
        fraud: data.labels[i] === 1,
        scenario: data.scenarios?.[i] ?? 0,
      })),
      DELAY_DAYS * DAY_MS,
    )
  : null

const weekLabel = (s: WeekSplit): string =>
  `${isoDay(s.trainStart + TRAIN_DAYS + DELAY_DAYS)}..${isoDay(s.trainStart + TRAIN_DAYS + DELAY_DAYS + TEST_DAYS - 1)}`
const figures: WeekFigures[][] = candidates.map(() => [])
const weekRows: string[][] = []
for (const start of starts) {
  const split = weekSplit(data, start)
  const frauds = (labels: Uint8Array): number => labels.reduce((a, b) => a + b, 0)
  let ceilings = { perfect: Number.NaN, seeable: null as number | null }
  let aucCeiling: number | null = null
  candidates.forEach((candidate, c) => {
    const { figures: week, scores } = evaluateWeek(data, split, candidate)
    ;(figures[c] as WeekFigures[]).push(week)
    if (c === 0) {
      const hidden = unseeable ? Array.from(split.testIdx, (i) => unseeable[i] as boolean) : undefined
      ceilings = reachableCardPrecision(scoredRows(data, split, scores), 100, hidden)
      aucCeiling = hidden ? seeableFirstAuc(scores, split.testLabels, hidden) : null
    }
  })
  const hiddenCount = unseeable ? Array.from(split.testIdx).filter((i) => unseeable[i]).length : null
  weekRows.push([
    weekLabel(split),
    isoDay(start),
    `${split.trainIdx.length} (${frauds(split.trainLabels)})`,
    `${split.testIdx.length} (${frauds(split.testLabels)})`,
    hiddenCount === null ? 'n/a' : String(hiddenCount),
    fixed3(ceilings.perfect),
    ceilings.seeable === null ? 'n/a' : fixed3(ceilings.seeable),
    aucCeiling === null ? 'n/a' : fixed3(aucCeiling),
  ])
}

const out: string[] = []
out.push(`data: ${dataPath}`)
out.push(
  `rows: ${data.count} (${isoDay(data.firstDay)}..${isoDay(data.lastDay)}); read + features ${((prepared - started) / 1000).toFixed(1)} s, once for every week`,
)
out.push(
  singleStart === null
    ? `weeks: ${starts.length} rolling test weeks, training starts 7 days apart, the first after ${warmupDays} days of feature history, the last test week ending on the file's last day`
    : 'weeks: one, from --train-start',
)
out.push('')
out.push(
  formatTable(
    [
      'test week',
      'train from',
      'train rows (frauds)',
      'test rows (frauds)',
      'unseeable frauds',
      'CP@100 perfect ranking',
      'CP@100 seeable first',
      'AUC seeable first',
    ],
    weekRows,
  ),
)
out.push(
  "Ceilings: CP@100 of a perfect ranking; CP@100 and AUC with every fraud a feature can see first, then the product default's order " +
    '(unseeable: its terminal was compromised less than the label delay earlier, with ordinary amounts and cards).',
)
const results = candidates.map((candidate, c) => summarise(candidate.name, figures[c] as WeekFigures[]))
for (const result of results) {
  out.push('', `### ${result.name}`, '')
  const row = (label: string, w: WeekFigures): string[] => [label, fixed3(w.auc), fixed3(w.ap), fixed3(w.cp100), `${w.trainSeconds.toFixed(1)} s`]
  out.push(
    formatTable(
      ['test week', 'AUC ROC', 'average precision', 'card precision@100', 'train + score'],
      [
        ...result.weeks.map((w, k) => row((weekRows[k] as string[])[0] as string, w)),
        ...(result.weeks.length > 1 ? [row('mean', result.mean), row('worst week', result.worst)] : []),
      ],
    ),
  )
}
out.push('', '### summary (mean / worst week)', '')
out.push(
  formatTable(
    ['model', 'AUC ROC', 'average precision', 'card precision@100'],
    results.map((r) => [
      r.name,
      `${fixed3(r.mean.auc)} / ${fixed3(r.worst.auc)}`,
      `${fixed3(r.mean.ap)} / ${fixed3(r.worst.ap)}`,
      `${fixed3(r.mean.cp100)} / ${fixed3(r.worst.cp100)}`,
    ]),
  ),
)
out.push('', `total time ${((performance.now() - started) / 1000).toFixed(1)} s`)
process.stdout.write(`${out.join('\n')}\n`)
