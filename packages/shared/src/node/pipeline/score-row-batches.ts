import { isAtLeast, type Severity } from '../../domain/severity.ts'
import { explainScore, type Explanation } from '../../detection/explain.ts'
import { FEATURE_NAMES } from '../../detection/features/compute-features.ts'
import { FeatureEngine } from '../../detection/features/feature-engine.ts'
import type { ModelScore } from '../../detection/models/anomaly-model.ts'
import type { RowError } from '../../detection/row-conversion.ts'
import { applyRuleOutcome, findSuppression, raisesAlert } from '../../rules/apply-outcome.ts'
import { defaultCompiledRuleSet } from '../../rules/default-rules.ts'
import type { CompiledRuleSet } from '../../rules/rule-set.ts'
import { NO_LISTS, type RuleLists, type Suppression } from '../../rules/rule-types.ts'
import type { TTransaction } from '../../transactions/transaction-input.ts'
import type { CsvRow } from '../csv/read-transactions-csv.ts'
import type { LoadedModel } from '../model-artifact.ts'

/** One good row after the model and the rules. */
export interface ScoredRow {
  /** 1-based line number in the file (the header is line 1). */
  line: number
  /** The record's text as read, for writers that echo the input. */
  raw: string
  transaction: TTransaction
  /** The model's score after the fired rules' boost and severity floor (applyRuleOutcome). */
  score: ModelScore
  /** ACTIVE rules that fired, in rule-set order. */
  rules: string[]
  /** SHADOW rules that fired: recorded, never an alert. */
  shadowRules: string[]
  /** The allow list entry that suppresses this row's alert, or null. */
  suppression: Suppression | null
  /** What the server keeps as an anomaly (see isAlert); false when suppressed. */
  alert: boolean
  /** Set for rows at or above `explainFrom`; the tree walk is not worth it below. */
  explanation: Explanation | null
}

/** A row that could not be used, with every problem found in it. */
export interface RejectedRow {
  line: number
  raw: string
  errors: RowError[]
}

/** One input batch, scored: good and bad rows each in file order. */
export interface ScoredChunk {
  /** Rows read in this batch (good and bad). */
  rowCount: number
  scored: ScoredRow[]
  rejected: RejectedRow[]
}

export interface ScoreRowBatchesOptions {
  model: LoadedModel
  /** Rows at or above this severity get an explanation (default MEDIUM; null: none). */
  explainFrom?: Severity | null
  /** The rules to evaluate (default: the built-in set, version 0). */
  ruleSet?: CompiledRuleSet
  /** Lists the rules read and the allow lists that suppress alerts (default: none). */
  lists?: RuleLists
}

const width = FEATURE_NAMES.length

/**
 * Regroups rows read in small pieces (reads stay under 128 KB so V8 keeps them out
 * of its old generation) into batches of at least `size` rows for the model, whose
 * per-call cost only vanishes on large batches. Order is kept.
 */
export async function* gatherRows<T>(batches: AsyncIterable<readonly T[]>, size: number): AsyncGenerator<T[]> {
  let rows: T[] = []
  for await (const batch of batches) {
    for (const row of batch) rows.push(row)
    if (rows.length >= size) {
      yield rows
      rows = []
    }
  }
  if (rows.length > 0) yield rows
}

/**
 * What the server keeps as an anomaly (and so what a triage queue shows): a score at
 * or above the model's MEDIUM threshold, or any ACTIVE rule fired, unless an allow
 * list suppresses it. Everything else is a scored row nobody needs to look at.
 */
export function isAlert(score: ModelScore, rules: readonly string[], suppression: Suppression | null = null): boolean {
  // raisesAlert's test, for callers holding only the fired names (ScoredRow.alert has it ready).
  return suppression === null && (score.severity !== 'LOW' || rules.length > 0)
}

/**
 * The scoring steps shared by every file scorer (the CLI's `anomalyze score`, the
 * console's offline scoring): converted rows -> FeatureEngine (in file order, so
 * account history is right) -> ONNX model -> rule set (boost, floor, allow lists) ->
 * explanations, yielding one
 * scored chunk per input batch. Only the sink differs between callers.
 *
 * Pipelined: the model scores batch i (on ONNX Runtime's worker thread when the model
 * was loaded with `worker: true`) while this thread converts and computes features
 * for batch i+1, and while the caller stores chunk i. At most two batches are in
 * flight, so memory stays flat.
 */
export async function* scoreRowBatches(batches: AsyncIterable<readonly CsvRow[]>, options: ScoreRowBatchesOptions): AsyncGenerator<ScoredChunk> {
  const { model, ruleSet = defaultCompiledRuleSet(), lists = NO_LISTS } = options
  const explainFrom = options.explainFrom === undefined ? 'MEDIUM' : options.explainFrom
  const engine = new FeatureEngine(model.model.featureConfig)

  interface InFlight {
    rowCount: number
    good: { row: CsvRow; transaction: TTransaction }[]
    rejected: RejectedRow[]
    features: Float32Array
    scores: Promise<ModelScore[]>
  }

  const finish = async (batch: InFlight): Promise<ScoredChunk> => {
    const scores = await batch.scores
    const scored: ScoredRow[] = new Array(batch.good.length)
    for (let i = 0; i < batch.good.length; i += 1) {
      const { row, transaction } = batch.good[i] as InFlight['good'][number]
      const modelScore = scores[i]
      if (modelScore === undefined) throw new Error(`the model returned no score for line ${row.line}`)
      const outcome = ruleSet.evaluate(transaction, batch.features, i * width, lists)
      const score = applyRuleOutcome(modelScore, outcome, model.model.thresholds)
      const suppression = findSuppression(transaction, lists)
      const explanation =
        explainFrom !== null && isAtLeast(score.severity, explainFrom)
          ? explainScore(model.model, batch.features.subarray(i * width, (i + 1) * width), outcome.fired, { scored: score, currency: transaction.currency })
          : null
      const alert = suppression === null && raisesAlert(score, outcome)
      scored[i] = { line: row.line, raw: row.raw, transaction, score, rules: outcome.fired, shadowRules: outcome.shadow, suppression, alert, explanation }
    }
    return { rowCount: batch.rowCount, scored, rejected: batch.rejected }
  }

  let previous: InFlight | null = null
  for await (const rows of batches) {
    const good: InFlight['good'] = []
    const rejected: RejectedRow[] = []
    const features = new Float32Array(rows.length * width)
    for (const row of rows) {
      if (!row.result.ok) {
        rejected.push({ line: row.line, raw: row.raw, errors: row.result.errors })
        continue
      }
      engine.process(row.result.transaction, features, good.length * width)
      good.push({ row, transaction: row.result.transaction })
    }
    const scores = good.length === 0 ? Promise.resolve([]) : model.scorer.score(features, good.length)
    // Awaited later (or never, when the caller stops early): a failure must not
    // surface as an unhandled rejection in between.
    scores.catch(() => undefined)
    const current: InFlight = { rowCount: rows.length, good, rejected, features, scores }
    if (previous !== null) yield await finish(previous)
    previous = current
  }
  if (previous !== null) yield await finish(previous)
}
