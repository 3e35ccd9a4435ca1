import { createReadStream, createWriteStream } from 'node:fs'
import { finished } from 'node:stream/promises'
import type { Writable } from 'node:stream'
import { isAtLeast, type Severity } from '../../domain/severity.ts'
import { parseMappingOverrides } from '../../detection/column-mapping.ts'
import { explainScore } from '../../detection/explain.ts'
import { FEATURE_NAMES } from '../../detection/features/compute-features.ts'
import { FeatureEngine } from '../../detection/features/feature-engine.ts'
import type { RowError } from '../../detection/row-conversion.ts'
import { applyRuleOutcome } from '../../rules/apply-outcome.ts'
import { defaultCompiledRuleSet } from '../../rules/default-rules.ts'
import type { CompiledRuleSet } from '../../rules/rule-set.ts'
import { NO_LISTS, type RuleLists } from '../../rules/rule-types.ts'
import type { TTransaction } from '../../transactions/transaction-input.ts'
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
  /** The rules to evaluate (default: the built-in set, version 0). */
  ruleSet?: CompiledRuleSet
  /** Lists the rules read (default: none). */
  lists?: RuleLists
}

export interface ScoreFileResult {
  rows: number
  scored: number
  rejected: number
  bySeverity: Record<Severity, number>
}

export const OUTPUT_COLUMNS = ['score', 'severity', 'rules', 'explanation'] as const

/** Rows per ONNX Runtime call: large enough that the per-call cost vanishes. */
const BATCH_ROWS = 4096
const READ_CHUNK = 1 << 20
const WRITE_PIECE = 64 << 10
const WRITE_BUFFER = 4 << 20
/** Batches between features and output: one more than two rides out a late worker thread. */
const IN_FLIGHT = 3

/** Streams `input` through mapping, features, rules and the ONNX model into a scored CSV. */
export async function scoreFile(options: ScoreFileOptions): Promise<ScoreFileResult> {
  const { model, stderr = process.stderr, explainFrom = 'MEDIUM', maxErrorLines = 20, ruleSet = defaultCompiledRuleSet(), lists = NO_LISTS } = options
  const width = FEATURE_NAMES.length
  const engine = new FeatureEngine(model.model.featureConfig)
  // A buffer of a few batches: with the default 16 KB every batch waited for the disk,
  // and on a busy machine each wait costs a trip through the scheduler.
  const out: Writable = options.output ? createWriteStream(options.output, { highWaterMark: WRITE_BUFFER }) : process.stdout
  const errorsOut = options.errors ? createWriteStream(options.errors) : undefined
  if (errorsOut) errorsOut.write(csvLine(['line', 'field', 'reason']))
  const result: ScoreFileResult = { rows: 0, scored: 0, rejected: 0, bySeverity: { LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0 } }
  const progress = createProgress('scored', stderr)

  const writeBatch = async (features: Float32Array, accepted: string[], transactions: TTransaction[], scores: ModelScore[]): Promise<void> => {
    let text = ''
    for (let i = 0; i < accepted.length; i += 1) {
      const modelScore = scores[i]
      if (!modelScore) continue
      const outcome = ruleSet.evaluate(transactions[i] as TTransaction, features, i * width, lists)
      const s = applyRuleOutcome(modelScore, outcome, model.model.thresholds)
      const rules = outcome.fired
      const explanation = isAtLeast(s.severity, explainFrom)
        ? csvField(explainScore(model.model, features.subarray(i * width, (i + 1) * width), rules, { scored: s, currency: transactions[i]?.currency }).summary)
        : ''
      result.bySeverity[s.severity] += 1
      // The input record is echoed as read: no re-quoting of columns we did not touch.
      text += `${accepted[i] as string},${s.score.toFixed(6)},${s.severity},${rules.join(';')},${explanation}\n`
      // Handed over in pieces: a string above 128 KB goes straight to V8's old
      // generation, and a batch's worth of them made the heap (peak RSS) grow.
      if (text.length >= WRITE_PIECE) {
        out.write(text)
        text = ''
      }
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

  // 1 MB reads, decoded in 64 KB pieces (see readTransactionBatches), gathered into
  // batches of BATCH_ROWS for ONNX Runtime.
  const batches = readTransactionBatches(createReadStream(options.input, { highWaterMark: READ_CHUNK }), {
    overrides: parseMappingOverrides(options.mappings ?? []),
    onHeader: (resolved) => out.write(csvLine([...resolved.headers, ...OUTPUT_COLUMNS])),
  })
  // Pipelined: the model scores batch i (on a worker thread when the model was loaded
  // with `worker: true`) while this thread parses and computes features for the next.
  // At most IN_FLIGHT batches are in flight, so memory stays flat.
  let pending: Promise<void> = Promise.resolve()
  const inFlight: Promise<void>[] = []
  let features = new Float32Array(BATCH_ROWS * width)
  let accepted: string[] = []
  let transactions: TTransaction[] = []
  const flush = async (): Promise<void> => {
    const batchFeatures = features
    const batchAccepted = accepted
    const batchTransactions = transactions
    features = new Float32Array(BATCH_ROWS * width)
    accepted = []
    transactions = []
    const scoring = model.scorer.score(batchFeatures, batchAccepted.length)
    const previous = pending
    pending = (async () => {
      const scores = await scoring
      await previous
      await writeBatch(batchFeatures, batchAccepted, batchTransactions, scores)
    })()
    // A failed batch must surface where it is awaited, not as an unhandled rejection.
    pending.catch(() => undefined)
    inFlight.push(pending)
    // Each batch is written after the one before it, so waiting for the oldest suffices.
    if (inFlight.length >= IN_FLIGHT) await inFlight.shift()
    progress.update(result.rows)
  }
  for await (const batch of batches) {
    for (const row of batch) {
      result.rows += 1
      if (!row.result.ok) {
        await reject(row.result.errors)
        continue
      }
      engine.process(row.result.transaction, features, accepted.length * width)
      accepted.push(row.raw)
      transactions.push(row.result.transaction)
      if (accepted.length === BATCH_ROWS) await flush()
    }
  }
  if (accepted.length > 0) await flush()
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
