/**
 * Files unlike the training data, measured on the PaySim sample (mobile money:
 * balances, transfer types; see /work/shared/data/README.md). Prints the domain check
 * of the file against the shipped default model's training data, then for each way of
 * scoring it the AUC ROC and average precision against its isFraud column and the
 * alerts at HIGH or above. The shipped default, scored in the same run, is the baseline.
 * Local file only; bounded by the file's size.
 */
import { createReadStream, existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { MappableField } from '../src/detection/column-mapping.ts'
import { FEATURE_NAMES } from '../src/detection/features/compute-features.ts'
import { buildFeatureMatrix } from '../src/detection/features/feature-matrix.ts'
import { profileFeatures, type FeatureProfile } from '../src/detection/file-fit/feature-profile.ts'
import { checkFileDomain } from '../src/detection/file-fit/file-domain.ts'
import { buildFileFeatureMatrix } from '../src/detection/file-fit/file-features.ts'
import { fitFileIsolationForest, scoreFileWithoutLabels, trainOnFileLabels } from '../src/detection/file-fit/file-models.ts'
import { aucRoc, averagePrecision } from '../src/detection/metrics.ts'
import { scoreFeatureBatch } from '../src/detection/models/anomaly-model.ts'
import type { TransactionExtras } from '../src/detection/row-conversion.ts'
import { generateTransactions } from '../src/generator/generate-transactions.ts'
import type { TTransaction } from '../src/transactions/transaction-input.ts'
import { readTransactionsCsv } from '../src/node/csv/read-transactions-csv.ts'
import { DEFAULT_GENERATOR, defaultModelDir } from '../src/node/default-model.ts'
import { loadModelArtifact } from '../src/node/model-artifact.ts'
import { fixed3, formatTable } from './text-table.ts'

const USAGE = `Usage: pnpm bench:paysim [options]

Scores the PaySim sample in four ways and prints, for each, AUC ROC and average
precision against its isFraud column and the alerts at HIGH or above:
  shipped default model (the baseline), an isolation forest fitted on the file with the
  engine's features, the same with the file's balance and type columns, and boosted
  trees trained on the file's own labels (the latest 20% of rows held out and measured).
First it prints the domain check of the file against the default model's training data.

Options:
  --data FILE   PaySim CSV (default: /work/shared/data/paysim-sample/paysim_sample.csv)
  --help        this text
`

const args = process.argv.slice(2)
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(USAGE)
  process.exit(0)
}
const dataArg = args.includes('--data') ? args[args.indexOf('--data') + 1] : undefined
const here = fileURLToPath(new URL('.', import.meta.url))
const dataPath = resolve(process.env.INIT_CWD ?? process.cwd(), dataArg ?? resolve(here, '../../../../shared/data/paysim-sample/paysim_sample.csv'))
if (!existsSync(dataPath)) {
  process.stdout.write(`bench:paysim skipped: ${dataPath} not found (--data FILE to point at a copy)\n`)
  process.exit(0)
}

interface FileRow {
  transaction: TTransaction
  label: boolean
  extras: TransactionExtras | undefined
}

const started = Date.now()
const rows: FileRow[] = []
let mappedFields: MappableField[] = []
let rejected = 0
for await (const row of readTransactionsCsv(createReadStream(dataPath), {
  onHeader: (resolved) => (mappedFields = Object.keys(resolved.mapping) as MappableField[]),
})) {
  if (!row.result.ok) {
    rejected += 1
    continue
  }
  rows.push({ transaction: row.result.transaction, label: row.result.label === true, extras: row.result.extras })
}
// The sample is shuffled; history features need time order (stable: same hour keeps file order).
rows.sort((a, b) => a.transaction.timestamp - b.transaction.timestamp)
const labels = Uint8Array.from(rows, (r) => (r.label ? 1 : 0))
const frauds = labels.reduce((a, b) => a + b, 0)
process.stdout.write(`${dataPath}: ${rows.length} rows (${frauds} frauds), ${rejected} rejected; mapped: ${mappedFields.join(', ')}\n`)

const engine = buildFeatureMatrix(rows.map((r) => ({ transaction: r.transaction })))
const loaded = await loadModelArtifact(defaultModelDir())
await loaded.scorer.close()
const model = loaded.model

// The shipped default's manifest carries its training profile once regenerated; until
// then the profile comes from the same generated training data.
const profile: FeatureProfile = loaded.manifest.featureProfile ?? trainingProfile()
function trainingProfile(): FeatureProfile {
  const training = buildFeatureMatrix(generateTransactions(DEFAULT_GENERATOR))
  return profileFeatures(training.rows, FEATURE_NAMES.length, FEATURE_NAMES)
}
const domain = checkFileDomain(profile, engine.rows, FEATURE_NAMES.length, { mappedFields })
process.stdout.write(
  `\ndomain check: ${domain.verdict}${loaded.manifest.featureProfile ? '' : ' (profile recomputed: the shipped manifest has none yet)'}\n${domain.summary}\n`,
)
for (const f of domain.features.filter((x) => x.note !== '').slice(0, 8)) process.stdout.write(`  ${f.feature}: ${f.note}\n`)

interface Option {
  name: string
  scores: ArrayLike<number>
  highCut: number
  /** Measured on these rows only (a holdout), else all rows. */
  measuredOn?: ArrayLike<number>
  auc?: number
  ap?: number
}

const options: Option[] = []
const defaultScores = scoreFeatureBatch(model, engine.rows)
options.push({ name: 'shipped default model (baseline)', scores: defaultScores, highCut: model.thresholds.high })

const engineOnly = fitFileIsolationForest({ rows: engine.rows, width: FEATURE_NAMES.length }, { logScale: false })
options.push({ name: 'isolation forest on the file, engine features', scores: engineOnly.scores, highCut: engineOnly.severityThresholds.high })

const file = buildFileFeatureMatrix(
  engine.rows,
  rows.map((r) => r.extras),
)
const withColumns = fitFileIsolationForest(file)
options.push({ name: 'isolation forest on the file, + balance/type columns', scores: withColumns.scores, highCut: withColumns.severityThresholds.high })

// What a file without labels gets (scoreFileWithoutLabels): amount + balance/type columns, log-scaled.
const fileColumnsOnly = scoreFileWithoutLabels(file)
options.push({
  name: 'isolation forest on the file, amount + balance/type only (recommended)',
  scores: fileColumnsOnly.scores,
  highCut: fileColumnsOnly.severityThresholds.high,
})

const trained = trainOnFileLabels(file, labels, { order: rows.map((r) => r.transaction.timestamp) })
options.push({
  name: `trees on the file's isFraud, holdout (${trained.evaluation.split}, ${trained.evaluation.holdoutRows} rows, ${trained.evaluation.holdoutFrauds} frauds)`,
  scores: trained.scores,
  highCut: trained.severityThresholds.high,
  auc: trained.evaluation.aucRoc ?? Number.NaN,
  ap: trained.evaluation.averagePrecision ?? Number.NaN,
})

// The same trees with a seeded random holdout, and on the engine's features only: how
// much of the figure the time split and the balance columns account for.
const randomSplit = trainOnFileLabels(file, labels)
options.push({
  name: `trees on the file's isFraud, holdout (random, ${randomSplit.evaluation.holdoutRows} rows, ${randomSplit.evaluation.holdoutFrauds} frauds)`,
  scores: randomSplit.scores,
  highCut: randomSplit.severityThresholds.high,
  auc: randomSplit.evaluation.aucRoc ?? Number.NaN,
  ap: randomSplit.evaluation.averagePrecision ?? Number.NaN,
})
const engineTrees = trainOnFileLabels({ rows: engine.rows, width: FEATURE_NAMES.length }, labels, { order: rows.map((r) => r.transaction.timestamp) })
options.push({
  name: "trees on the file's isFraud, engine features only (time holdout)",
  scores: engineTrees.scores,
  highCut: engineTrees.severityThresholds.high,
  auc: engineTrees.evaluation.aucRoc ?? Number.NaN,
  ap: engineTrees.evaluation.averagePrecision ?? Number.NaN,
})

const table = options.map((o) => {
  const auc = o.auc ?? aucRoc(o.scores, labels)
  const ap = o.ap ?? averagePrecision(o.scores, labels)
  let alerts = 0
  for (let i = 0; i < o.scores.length; i += 1) if ((o.scores[i] as number) >= o.highCut) alerts += 1
  return [o.name, fixed3(auc), fixed3(ap), String(alerts)]
})
process.stdout.write(`\n${formatTable(['scoring', 'AUC ROC', 'avg precision', 'alerts HIGH+'], table)}\n`)
const best = Math.max(...table.map((r) => Number(r[1])).filter(Number.isFinite))
process.stdout.write(`\nbest AUC ROC ${best.toFixed(3)} (goal >= 0.90); ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
