/**
 * The grid that chose the product's training defaults: each candidate trained and
 * tested on every rolling week of the handbook data (same protocol and weeks as
 * bench:quality), one line per candidate with the mean and the worst week.
 *
 *   pnpm --filter @anomalyze/shared exec tsx bench/quality-grid.ts [--data FILE] [--only TEXT] [--weeks N]
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { FEATURE_INDEX, type FeatureName } from '../src/detection/features/compute-features.ts'
import { scoreFeatureBatch } from '../src/detection/models/anomaly-model.ts'
import { sigmoid, trainGradientBoosting, type GradientBoostingOptions } from '../src/detection/models/gradient-boosting.ts'
import { isolationScore, trainIsolationForest, type IsolationForestOptions } from '../src/detection/models/isolation-forest.ts'
import { predictRawBatch } from '../src/detection/models/tree-ensemble.ts'
import { RECOMMENDED_TRAINING, trainAnomalyModel, type TrainOptions } from '../src/detection/models/train-model.ts'
import { readHandbookData } from './handbook-data.ts'
import { DEFAULT_WARMUP_DAYS, rollingTrainStarts, weekSplit, type WeekSplit } from './rolling-weeks.ts'
import { fixed3, formatTable } from './text-table.ts'
import { evaluateWeek, productCandidate, summarise, type Candidate, type WeekFigures } from './week-evaluation.ts'

const args = process.argv.slice(2)
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
if (args.includes('--help')) {
  process.stdout.write('Usage: tsx bench/quality-grid.ts [--data FILE] [--only TEXT (candidates whose name contains it)] [--weeks N]\n')
  process.exit(0)
}
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))
const dataPath = resolve(
  process.env.INIT_CWD ?? process.cwd(),
  arg('--data') ?? resolve(repoRoot, '../shared/data/fraud-handbook/transactions-2018-04-to-05.csv'),
)
if (!existsSync(dataPath)) {
  process.stdout.write(`quality-grid skipped: ${dataPath} not found\n`)
  process.exit(0)
}

const base = RECOMMENDED_TRAINING
const trees = (boosting: GradientBoostingOptions, isolationBlend = 0): TrainOptions => ({
  ...base,
  boosting: { ...base.boosting, ...boosting },
  isolationBlend,
})

/** The same model with some features held constant, so no tree can split on them. */
function withoutFeatures(name: string, options: TrainOptions, dropped: readonly FeatureName[]): Candidate {
  const columns = dropped.map((f) => FEATURE_INDEX[f])
  const blank = (rows: Float32Array): Float32Array => {
    const out = rows.slice()
    const width = Object.keys(FEATURE_INDEX).length
    for (let r = 0; r < out.length; r += width) for (const c of columns) out[r + c] = 0
    return out
  }
  return {
    name,
    score: (split) => {
      const { model } = trainAnomalyModel(blank(split.trainRows), { ...options, labels: split.trainLabels, holdoutFraction: 0 })
      return scoreFeatureBatch(model, blank(split.testRows))
    },
  }
}

/** Trees that get the isolation score as one more input column. */
function isolationAsFeature(name: string, boosting: GradientBoostingOptions): Candidate {
  const width = Object.keys(FEATURE_INDEX).length
  const widen = (split: WeekSplit, rows: Float32Array, forest: ReturnType<typeof trainIsolationForest>): Float32Array => {
    void split
    const raw = predictRawBatch(forest.ensemble, rows, width)
    const n = raw.length
    const out = new Float32Array(n * (width + 1))
    for (let i = 0; i < n; i += 1) {
      out.set(rows.subarray(i * width, (i + 1) * width), i * (width + 1))
      out[i * (width + 1) + width] = isolationScore(forest, raw[i] as number)
    }
    return out
  }
  return {
    name,
    score: (split) => {
      const forest = trainIsolationForest(split.trainRows, width, base.isolation)
      const ensemble = trainGradientBoosting(widen(split, split.trainRows, forest), width + 1, split.trainLabels, { ...base.boosting, ...boosting })
      const raw = predictRawBatch(ensemble, widen(split, split.testRows, forest), width + 1)
      return Float64Array.from(raw, sigmoid)
    },
  }
}

/** Boosted trees (with `boosting`) and the isolation forest, their outputs combined by `combine`. */
function combined(
  name: string,
  boosting: GradientBoostingOptions,
  combine: (probability: number, iso: number) => number,
  isolation: IsolationForestOptions = base.isolation,
): Candidate {
  return {
    name,
    score: (split) => {
      const { model } = trainAnomalyModel(split.trainRows, { ...trees(boosting), isolation, labels: split.trainLabels, holdoutFraction: 0 })
      const width = model.featureNames.length
      const iso = predictRawBatch(model.isolation.ensemble, split.testRows, width)
      const sup = model.supervised ? predictRawBatch(model.supervised, split.testRows, width) : iso
      return Float64Array.from(iso, (raw, i) => combine(sigmoid(sup[i] as number), isolationScore(model.isolation, raw)))
    },
  }
}

/** The frauds repeated `times` times in the training rows (a class weight). */
function fraudWeighted(name: string, times: number): Candidate {
  const width = Object.keys(FEATURE_INDEX).length
  return {
    name,
    score: (split) => {
      const frauds = Array.from(split.trainLabels.keys()).filter((i) => split.trainLabels[i] === 1)
      const n = split.trainLabels.length + frauds.length * (times - 1)
      const rows = new Float32Array(n * width)
      rows.set(split.trainRows)
      const labels = new Uint8Array(n)
      labels.set(split.trainLabels)
      let at = split.trainLabels.length
      for (let k = 1; k < times; k += 1) {
        for (const i of frauds) {
          rows.set(split.trainRows.subarray(i * width, (i + 1) * width), at * width)
          labels[at++] = 1
        }
      }
      const { model } = trainAnomalyModel(rows, { ...RECOMMENDED_TRAINING, labels, holdoutFraction: 0 })
      return scoreFeatureBatch(model, split.testRows)
    },
  }
}

/** The mean of `seeds` boosted models' probabilities (bagging), raised by the isolation score. */
function seedAverage(name: string, seeds: number[]): Candidate {
  return {
    name,
    score: (split) => {
      const sum = new Float64Array(split.testLabels.length)
      let iso = new Float64Array(0)
      for (const seed of seeds) {
        const { model } = trainAnomalyModel(split.trainRows, {
          ...RECOMMENDED_TRAINING,
          boosting: { ...RECOMMENDED_TRAINING.boosting, seed },
          labels: split.trainLabels,
          holdoutFraction: 0,
        })
        const width = model.featureNames.length
        const sup = predictRawBatch(model.supervised ?? model.isolation.ensemble, split.testRows, width)
        sup.forEach((raw, i) => (sum[i] = (sum[i] as number) + sigmoid(raw) / seeds.length))
        if (iso.length === 0)
          iso = Float64Array.from(predictRawBatch(model.isolation.ensemble, split.testRows, width), (r) => isolationScore(model.isolation, r))
      }
      return Float64Array.from(sum, (p, i) => p + 0.1 * (iso[i] as number) * (1 - p))
    },
  }
}

const DRIFTING: FeatureName[] = ['acct_history_count']
const candidates: Candidate[] = [
  productCandidate('current default: depth 3, 100 rounds, rate 0.1, blend 0.2', base),
  productCandidate('blend 0 (trees alone)', trees({}, 0)),
  productCandidate('blend 0.01', trees({}, 0.01)),
  productCandidate('blend 0.02', trees({}, 0.02)),
  productCandidate('blend 0.05', trees({}, 0.05)),
  productCandidate('blend 0.1', trees({}, 0.1)),
  isolationAsFeature('isolation score as a tree input, blend 0', {}),
  productCandidate('depth 2, blend 0', trees({ maxDepth: 2 })),
  productCandidate('depth 4, blend 0', trees({ maxDepth: 4 })),
  productCandidate('200 rounds, rate 0.05, blend 0', trees({ rounds: 200, learningRate: 0.05 })),
  productCandidate('300 rounds, blend 0', trees({ rounds: 300 })),
  productCandidate('50 rounds, blend 0', trees({ rounds: 50 })),
  productCandidate('min child weight 20, blend 0', trees({ minChildWeight: 20 })),
  productCandidate('lambda 10, blend 0', trees({ lambda: 10 })),
  productCandidate('subsample 0.5, blend 0', trees({ subsample: 0.5 })),
  withoutFeatures('without acct_history_count, blend 0', trees({}), DRIFTING),
  withoutFeatures('without acct_history_count, blend 0.02', trees({}, 0.02), DRIFTING),
  ...[0.1, 0.2, 0.3, 0.5].map((w) => combined(`geometric blend p^${1 - w} iso^${w}`, {}, (p, iso) => Math.pow(p, 1 - w) * Math.pow(iso, w))),
  ...[1, 2, 4].map((k) =>
    combined(`log-odds blend logit(p) + ${k} logit(iso)`, {}, (p, iso) => sigmoid(Math.log(p / (1 - p)) + k * Math.log(iso / (1 - iso)))),
  ),
  ...[0.1, 0.2, 0.3, 0.5].map((w) => combined(`tail blend p + ${w} iso (1 - p)`, {}, (p, iso) => p + w * iso * (1 - p))),
  ...[{ rounds: 200, learningRate: 0.05 }, { lambda: 10 }, { maxDepth: 4 }, { maxDepth: 2 }, { subsample: 0.5 }].map((b) =>
    combined(`tail blend p + 0.2 iso (1 - p), ${JSON.stringify(b)}`, b, (p, iso) => p + 0.2 * iso * (1 - p)),
  ),
  ...[
    { trees: 100, sampleSize: 256, seed: 1 },
    { trees: 50, sampleSize: 128, seed: 1 },
    { trees: 50, sampleSize: 512, seed: 1 },
    { trees: 50, sampleSize: 256, seed: 2 },
    { trees: 50, sampleSize: 256, seed: 3 },
    { trees: 50, sampleSize: 512, seed: 2 },
    { trees: 50, sampleSize: 512, seed: 3 },
    { trees: 100, sampleSize: 512, seed: 1 },
  ].flatMap((isolation) => [
    productCandidate(`isolation forest alone ${JSON.stringify(isolation)}`, { isolation }, false),
    combined(`tail blend p + 0.1 iso (1 - p), isolation ${JSON.stringify(isolation)}`, {}, (p, iso) => p + 0.1 * iso * (1 - p), isolation),
  ]),
  productCandidate('shipped default (RECOMMENDED_TRAINING)', RECOMMENDED_TRAINING),
  fraudWeighted('shipped default, frauds weighted x3', 3),
  fraudWeighted('shipped default, frauds weighted x10', 10),
  seedAverage('shipped default, mean of 3 boosting seeds', [1, 2, 3]),
]

const only = arg('--only')
const picked = only ? candidates.filter((c) => c.name.includes(only)) : candidates
const started = performance.now()
const data = await readHandbookData(dataPath)
const starts = rollingTrainStarts(data.firstDay, data.lastDay, DEFAULT_WARMUP_DAYS)
const weeks = Number(arg('--weeks') ?? starts.length)
const splits = starts.slice(Math.max(0, starts.length - weeks)).map((s) => weekSplit(data, s))
const rows: string[][] = []
for (const candidate of picked) {
  const figures: WeekFigures[] = splits.map((split) => evaluateWeek(data, split, candidate).figures)
  const r = summarise(candidate.name, figures)
  const line = [
    r.name,
    `${fixed3(r.mean.auc)} / ${fixed3(r.worst.auc)}`,
    `${fixed3(r.mean.ap)} / ${fixed3(r.worst.ap)}`,
    `${fixed3(r.mean.cp100)} / ${fixed3(r.worst.cp100)}`,
    figures.map((w) => fixed3(w.auc)).join(' '),
    figures.map((w) => fixed3(w.ap)).join(' '),
    `${r.mean.trainSeconds.toFixed(1)} s`,
  ]
  rows.push(line)
  process.stderr.write(`${line.join(' | ')}\n`)
}
process.stdout.write(
  `${formatTable(['candidate', 'AUC mean / worst', 'AP mean / worst', 'CP@100 mean / worst', 'AUC per week', 'AP per week', 'train + score'], rows)}\n` +
    `\n${splits.length} weeks; total time ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
)
