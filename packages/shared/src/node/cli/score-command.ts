import { createReadStream, createWriteStream } from 'node:fs'
import { finished } from 'node:stream/promises'
import type { Writable } from 'node:stream'
import { isAtLeast, type Severity } from '../../domain/severity.ts'
import { parseMappingOverrides } from '../../detection/column-mapping.ts'
import { explainScore } from '../../detection/explain.ts'
import { FEATURE_NAMES } from '../../detection/features/compute-features.ts'
import { FeatureEngine } from '../../detection/features/feature-engine.ts'
import type { RowError } from '../../detection/row-conversion.ts'
import { evaluateRules } from '../../detection/rules.ts'
import { readTransactionBatches } from '../csv/read-transactions-csv.ts'
import type { ModelScore } from '../../detection/models/anomaly-model.ts'
import type { LoadedModel } from '../model-artifact.ts'
import { csvField, csvLine, writeWithBackpressure } from './csv-writer.ts'
import { createProgress } from './progress.ts'

export interface ScoreFileOptions {
  input: string
  /** Scored CSV path; stdout when absent. */
  output?: string
  /** CSV of rejected rows (line, field, reason). */
  errors?: string
  model: LoadedModel
  mappings?: readonly string[]
  /** Rows at or above this severity get an explanation (default MEDIUM). */
  explainFrom?: Severity
  /** Rejected rows echoed to stderr before only counting them. */
  maxErrorLines?: number
  stderr?: NodeJS.WriteStream
}

export interface ScoreFileResult {
  rows: number
  scored: number
  rejected: number
  bySeverity: Record<Severity, number>
}

export const OUTPUT_COLUMNS = ['score', 'severity', 'rules', 'explanation'] as const

/** Streams `input` through mapping, features, rules and the ONNX model into a scored CSV. */
export async function scoreFile(options: ScoreFileOptions): Promise<ScoreFileResult> {
  const { model, stderr = process.stderr, explainFrom = 'MEDIUM', maxErrorLines = 20 } = options
  const width = FEATURE_NAMES.length
  const engine = new FeatureEngine(model.model.featureConfig)
  const out: Writable = options.output ? createWriteStream(options.output) : process.stdout
  const errorsOut = options.errors ? createWriteStream(options.errors) : undefined
  if (errorsOut) errorsOut.write(csvLine(['line', 'field', 'reason']))
  const result: ScoreFileResult = { rows: 0, scored: 0, rejected: 0, bySeverity: { LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0 } }
  const progress = createProgress('scored', stderr)

  const writeBatch = async (features: Float32Array, accepted: string[], scores: ModelScore[]): Promise<void> => {
    let text = ''
    for (let i = 0; i < accepted.length; i += 1) {
      const s = scores[i]
      if (!s) continue
      const rules = evaluateRules(features, undefined, i * width)
      const explanation = isAtLeast(s.severity, explainFrom)
        ? csvField(explainScore(model.model, features.subarray(i * width, (i + 1) * width), rules, { scored: s }).summary)
        : ''
      result.bySeverity[s.severity] += 1
      // The input record is echoed as read: no re-quoting of columns we did not touch.
      text += `${accepted[i] as string},${s.score.toFixed(6)},${s.severity},${rules.join(';')},${explanation}\n`
    }
    result.scored += accepted.length
    await writeWithBackpressure(out, text)
  }

  const reject = async (errors: RowError[]): Promise<void> => {
    result.rejected += 1
    for (const e of errors) {
      if (result.rejected <= maxErrorLines) stderr.write(`line ${e.line}: ${e.field}: ${e.reason}\n`)
      if (errorsOut) await writeWithBackpressure(errorsOut, csvLine([String(e.line), e.field, e.reason]))
    }
  }

  // 256 KB reads: ~4k rows per batch, so ONNX Runtime runs on large batches.
  const batches = readTransactionBatches(createReadStream(options.input, { highWaterMark: 256 << 10 }), {
    overrides: parseMappingOverrides(options.mappings ?? []),
    onHeader: (resolved) => out.write(csvLine([...resolved.headers, ...OUTPUT_COLUMNS])),
  })
  // Pipelined: ONNX Runtime scores batch i on its own thread while this thread parses
  // and computes features for batch i+1. At most two batches are in flight.
  let pending: Promise<void> = Promise.resolve()
  for await (const batch of batches) {
    const features = new Float32Array(batch.length * width)
    const accepted: string[] = []
    for (const row of batch) {
      result.rows += 1
      if (!row.result.ok) {
        await reject(row.result.errors)
        continue
      }
      engine.process(row.result.transaction, features, accepted.length * width)
      accepted.push(row.raw)
    }
    const scoring = model.scorer.score(features, accepted.length)
    const previous = pending
    pending = (async () => {
      const scores = await scoring
      await previous
      await writeBatch(features, accepted, scores)
    })()
    await previous
    progress.update(result.rows)
  }
  await pending
  progress.done(result.rows)
  if (result.rejected > maxErrorLines) {
    stderr.write(`${result.rejected} rows rejected in all${options.errors ? ` (every one in ${options.errors})` : ''}\n`)
  }
  for (const stream of [out, errorsOut]) {
    if (stream && stream !== process.stdout) {
      stream.end()
      await finished(stream)
    }
  }
  return result
}
