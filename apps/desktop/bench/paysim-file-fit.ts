/**
 * The console's answers for a file unlike the training data, measured on the PaySim
 * sample through the desktop core (the same modules scoring.refit runs): the domain
 * check against the shipped model, then AUC ROC / average precision against isFraud of
 * the forest fitted on the file (all rows) and of trees trained on its labels (the
 * latest 20% held out). Usage: pnpm exec tsx apps/desktop/bench/paysim-file-fit.ts [csv]
 */
import { aucRoc, averagePrecision, resolveColumnMapping } from '@anomalyze/shared/engine'
import { loadDefaultModel } from '@anomalyze/shared/node'
import { readFileSync } from 'node:fs'
import { checkBatchDomain } from '../src/core/scoring/batch-domain.ts'
import { collectAllRows } from '../src/core/scoring/file-rows-collector.ts'
import { fitFileModel } from '../src/core/scoring/fit-file-model.ts'
import { readMappedRows } from '../src/core/scoring/score-csv-file.ts'

const path = process.argv[2] ?? '/work/shared/data/paysim-sample/paysim_sample.csv'
const headers = (readFileSync(path, 'utf8').split('\n', 1)[0] ?? '').split(',')
const { mapping } = resolveColumnMapping(headers)
const model = await loadDefaultModel()
const collector = collectAllRows(model.model.featureConfig, 2_000_000)
for await (const rows of readMappedRows({ path, headers, mapping, signal: new AbortController().signal }, () => undefined)) collector.add(rows)
const rows = collector.result()
const labels = Uint8Array.from(rows.labels, (l) => (l === 1 ? 1 : 0))
const domain = checkBatchDomain(model.manifest.featureProfile, 'default', rows, mapping)
console.log(`rows ${rows.count}, frauds ${labels.reduce((a, b) => a + b, 0)}; mapping ${JSON.stringify(mapping)}`)
console.log(`domain: ${domain.available ? `${domain.verdict}: ${domain.summary}` : domain.reason}`)
const forest = fitFileModel('file-forest', rows)
console.log(
  `file-fitted forest: AUC ${aucRoc(forest.scores, labels).toFixed(4)} AP ${averagePrecision(forest.scores, labels).toFixed(4)} (all rows, no labels used)`,
)
const trained = fitFileModel('file-labels', rows)
console.log(`trained on labels: holdout ${JSON.stringify(trained.evaluation)}`)
