import { createReadStream } from 'node:fs'
import { parseMappingOverrides } from '../../detection/column-mapping.ts'
import { buildFeatureMatrix, type LabelledTransaction } from '../../detection/features/feature-matrix.ts'
import { RECOMMENDED_TRAINING, trainAnomalyModel, type TrainMetrics } from '../../detection/models/train-model.ts'
import { CsvInputError, readTransactionBatches } from '../csv/read-transactions-csv.ts'
import { saveModelArtifact } from '../model-artifact.ts'
import type { ModelManifest } from '../model-manifest.ts'
import { createProgress } from './progress.ts'

export interface TrainFileOptions {
  input: string
  /** Column holding the fraud label (1/0, true/false...). */
  labelColumn: string
  outDir: string
  mappings?: readonly string[]
  version?: string
  stderr?: NodeJS.WriteStream
}

export interface TrainFileResult {
  manifest: ModelManifest
  metrics: TrainMetrics
  rejected: number
}

/**
 * Trains a model from a labelled CSV. Rows are taken in time order (the holdout is
 * the most recent 20%), labels feed merchant/account risk after the usual delay.
 */
export async function trainFile(options: TrainFileOptions): Promise<TrainFileResult> {
  const stderr = options.stderr ?? process.stderr
  const overrides = parseMappingOverrides([...(options.mappings ?? []), `${options.labelColumn}=label`])
  const items: LabelledTransaction[] = []
  const progress = createProgress('read', stderr)
  let rejected = 0
  let rows = 0
  for await (const batch of readTransactionBatches(createReadStream(options.input), { overrides })) {
    for (const row of batch) {
      rows += 1
      if (!row.result.ok) {
        rejected += 1
        if (rejected <= 20) for (const e of row.result.errors) stderr.write(`line ${e.line}: ${e.field}: ${e.reason}\n`)
        continue
      }
      items.push({ transaction: row.result.transaction, isFraud: row.result.label })
    }
    progress.update(rows)
  }
  progress.done(rows)
  if (items.length < 10) throw new CsvInputError(`only ${items.length} usable rows: too few to train a model`)
  items.sort((a, b) => a.transaction.timestamp - b.transaction.timestamp)
  const matrix = buildFeatureMatrix(items)
  stderr.write(`training on ${matrix.count.toLocaleString('en-US')} rows...\n`)
  const { model, metrics } = trainAnomalyModel(matrix.rows, { ...RECOMMENDED_TRAINING, labels: matrix.labels ?? undefined })
  const first = items[0]?.transaction.timestamp
  const last = items[items.length - 1]?.transaction.timestamp
  const manifest = await saveModelArtifact(options.outDir, model, {
    ...(options.version ? { version: options.version } : {}),
    metrics,
    training: {
      source: options.input,
      rows: matrix.count,
      frauds: metrics.frauds,
      from: first === undefined ? null : new Date(first).toISOString(),
      to: last === undefined ? null : new Date(last).toISOString(),
    },
  })
  return { manifest, metrics, rejected }
}
