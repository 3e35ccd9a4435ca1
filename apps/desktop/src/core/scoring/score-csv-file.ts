import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import {
  AppError,
  createRowConverter,
  evaluateRules,
  explainScore,
  FEATURE_NAMES,
  FeatureEngine,
  isAtLeast,
  severityRank,
  type ModelScore,
  type TTransaction,
} from '@anomalyze/shared'
import type { LoadedModel } from '@anomalyze/shared/node'
import type { BadRow, FieldMapping } from '../../contract/scoring.ts'
import type { AnomalyParams } from '../store/anomaly-rows.ts'
import { csvRecords } from './shared-node-internals.ts'

export interface ScoreCsvOptions {
  path: string
  /** The header row the mapping was made for: a file changed since is refused. */
  headers: readonly string[]
  mapping: FieldMapping
  model: LoadedModel
  modelVersion: string
  batchId: string
  /** Stores one chunk (scored rows and bad rows) before the next is read. */
  onChunk: (anomalies: AnomalyParams[], badRows: BadRow[]) => void
  onProgress: (progress: ScoreProgress) => void
  signal: AbortSignal
  now?: () => number
}

export interface ScoreProgress {
  rowsRead: number
  scored: number
  badRowCount: number
  /** The first bad rows, for the live view. */
  firstBadRows: BadRow[]
  fraction: number
}

const FIRST_BAD_ROWS = 200
const width = FEATURE_NAMES.length

/**
 * Streams a CSV through the shared engine (record reader, row converter,
 * FeatureEngine, ONNX scorer, rules, explainScore) in file order, the same steps as
 * `anomalyze score`. Bad rows are reported with their line numbers and skipped; the
 * good ones are still scored. Memory stays flat: one chunk (~256 KB) at a time.
 */
export async function scoreCsvFile(options: ScoreCsvOptions): Promise<ScoreProgress> {
  const { model, mapping, signal, batchId } = options
  const now = options.now ?? Date.now
  const size = (await stat(options.path)).size
  const progress: ScoreProgress = { rowsRead: 0, scored: 0, badRowCount: 0, firstBadRows: [], fraction: 0 }
  const engine = new FeatureEngine(model.model.featureConfig)
  const convert = createRowConverter(mapping, options.headers.length)
  let features = new Float32Array(width * 4096)
  let bytes = 0
  let headerSeen = false

  const counted = async function* (): AsyncGenerator<Buffer> {
    for await (const chunk of createReadStream(options.path, { highWaterMark: 256 << 10 }) as AsyncIterable<Buffer>) {
      if (bytes === 0 && chunk.subarray(0, 4096).includes(0)) throw new AppError('BAD_INPUT', 'not a CSV file: it contains binary data')
      bytes += chunk.length
      yield chunk
    }
  }

  for await (const records of csvRecords(counted())) {
    if (signal.aborted) throw new AppError('CONFLICT', 'cancelled')
    const bad: BadRow[] = []
    const good: { line: number; tx: TTransaction }[] = []
    for (const record of records) {
      if (!headerSeen) {
        headerSeen = true
        if (record.values.join('\u0000') !== options.headers.join('\u0000')) {
          throw new AppError('CONFLICT', 'the file changed since its columns were mapped (different header row); open it again')
        }
        continue
      }
      progress.rowsRead += 1
      const converted = record.error === undefined ? convert(record.values, record.line) : { ok: false as const, errors: [{ line: record.line, field: 'row', reason: record.error }] }
      if (!converted.ok) {
        // One entry per row (its problems joined): the list counts rows, not fields.
        const first = converted.errors[0]
        bad.push({
          line: record.line,
          field: converted.errors.map((e) => e.field).join(', ') || (first?.field ?? 'row'),
          reason: converted.errors.map((e) => e.reason).join('; '),
        })
        continue
      }
      if (features.length < (good.length + 1) * width) {
        const grown = new Float32Array(features.length * 2)
        grown.set(features)
        features = grown
      }
      engine.process(converted.transaction, features, good.length * width)
      good.push({ line: record.line, tx: converted.transaction })
    }
    const scores = good.length === 0 ? [] : await options.model.scorer.score(features, good.length)
    const at = now()
    const anomalies = good.map(({ line, tx }, i) => toParams(batchId, line, tx, scores[i], features.subarray(i * width, (i + 1) * width), options, at))
    options.onChunk(anomalies, bad)
    progress.scored += good.length
    progress.badRowCount += bad.length
    for (const b of bad) if (progress.firstBadRows.length < FIRST_BAD_ROWS) progress.firstBadRows.push(b)
    progress.fraction = size === 0 ? 1 : Math.min(1, bytes / size)
    options.onProgress(progress)
  }
  if (!headerSeen) throw new AppError('BAD_INPUT', 'the file is empty (no header row)')
  progress.fraction = 1
  return progress
}

function toParams(
  batchId: string,
  line: number,
  tx: TTransaction,
  scored: ModelScore | undefined,
  features: Float32Array,
  options: ScoreCsvOptions,
  at: number,
): AnomalyParams {
  if (scored === undefined) throw new Error(`the model returned no score for line ${line}`)
  const rules = evaluateRules(features)
  // Like the CLI: the tree walk behind an explanation is only worth it from MEDIUM up.
  const explained = isAtLeast(scored.severity, 'MEDIUM') ? explainScore(options.model.model, features, rules, { scored }) : null
  const id = `${batchId}:${line}`
  return {
    id,
    batch_id: batchId,
    tx_row_id: id,
    tx_id: tx.txId,
    ts: tx.timestamp,
    amount: tx.amount,
    currency: tx.currency,
    account_id: tx.accountId,
    merchant_id: tx.merchantId,
    category: tx.category ?? null,
    country: tx.country ?? null,
    channel: tx.channel ?? null,
    score: scored.score,
    severity: scored.severity,
    severity_rank: severityRank(scored.severity),
    rules_json: JSON.stringify(rules),
    rules_text: ` ${rules.join(' ')} `,
    explanation: explained?.summary ?? `Score ${scored.score.toFixed(2)} (${scored.severity})${rules.length > 0 ? `; rules fired: ${rules.join(', ')}` : ''}.`,
    // Same shape as the server's explanationData, so the detail pane reads both alike.
    explanation_data: JSON.stringify({
      topFeatures: explained?.topFeatures ?? [],
      isolationScore: scored.isolationScore,
      fraudProbability: scored.fraudProbability,
      line,
    }),
    model_version: options.modelVersion,
    status: 'OPEN',
    is_false_positive: 0,
    decision_label: null,
    decision_note: null,
    decided_by: null,
    decided_at: null,
    created_at: at,
    updated_at: at,
  }
}
