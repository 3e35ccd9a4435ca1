import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { AppError, severityRank } from '@anomalyze/shared'
import { createRowConverter, toExplanationData, type CompiledRuleSet } from '@anomalyze/shared/engine'
import type { RuleLists, Suppression } from '@anomalyze/shared'
import {
  binaryFileProblem,
  convertRecord,
  csvRecords,
  gatherRows,
  isAlert,
  lineBreakIn,
  scoreRowBatches,
  type CsvRow,
  type LoadedModel,
  type ScoredRow,
} from '@anomalyze/shared/node'
import type { BadRow, FieldMapping } from '../../contract/scoring.ts'
import type { AnomalyParams } from '../store/anomaly-rows.ts'
import { plainExplanation, quietRowLine } from './scored-rows-file.ts'

/** One scored chunk, split for its two destinations. */
export interface ScoredCsvChunk {
  /** Rows for the triage queue (see isAlert), as anomalies-table rows. */
  alerts: AnomalyParams[]
  /** Every other scored row, as rows-file text (see quietRowLine), in pieces under WRITE_PIECE. */
  quietRows: string[]
  badRows: BadRow[]
  /** Rows a rule fired on (ACTIVE or SHADOW) or whose alert an allow list suppressed, in file order. */
  ruleRows: RuleRow[]
}

/** What the rule set did to one row (for counts and the server/desktop parity test). */
export interface RuleRow {
  line: number
  txId: string
  /** ACTIVE rules that fired. */
  rules: string[]
  shadowRules: string[]
  /** The allow list entry that kept this row out of the queue; null when it was no alert to suppress. */
  suppressed: Suppression | null
}

export interface ScoreCsvOptions {
  path: string
  /** The header row the mapping was made for: a file changed since is refused. */
  headers: readonly string[]
  mapping: FieldMapping
  model: LoadedModel
  modelVersion: string
  batchId: string
  /** The rule set in force and its lists, evaluated as ingestion does (default: the built-in set, no lists). */
  ruleSet?: CompiledRuleSet
  lists?: RuleLists
  /**
   * Stores one chunk. The next chunk is already being scored meanwhile; the one after
   * is read only once this resolves, so a slow disk holds the file back, not memory.
   */
  onChunk: (chunk: ScoredCsvChunk) => void | Promise<void>
  onProgress: (progress: ScoreProgress) => void
  signal: AbortSignal
  now?: () => number
  /** Sees every read chunk of rows (good and bad) in file order, before it is scored: the domain check's and file-fitted models' input. */
  onRows?: (rows: readonly CsvRow[]) => void
  /** Explain the alerts with the model's trees (default true; false when the scores are not the trees'). */
  explain?: boolean
}

export interface ScoreProgress {
  rowsRead: number
  scored: number
  alerts: number
  badRowCount: number
  /** The first bad rows, for the live view. */
  firstBadRows: BadRow[]
  fraction: number
}

const FIRST_BAD_ROWS = 200
// Rows per model call: large enough that the per-call cost vanishes.
const BATCH_ROWS = 4096
// Reads and written pieces stay under 128 KB: V8 puts larger strings straight into the
// old generation, which grows the heap over a file (measured for the CLI, see
// score-command.ts: peak RSS 340 -> 190-270 MB).
const READ_CHUNK = 64 << 10
const WRITE_PIECE = 64 << 10

/**
 * Streams a CSV through the shared scoring pipeline (scoreRowBatches: features, ONNX,
 * rules, explanations, the same steps as `anomalyze score`) in file order. Bad rows
 * are reported with their line numbers and skipped; the good ones are still scored.
 * Memory stays flat: two chunks of BATCH_ROWS rows in flight at most.
 */
export async function scoreCsvFile(options: ScoreCsvOptions): Promise<ScoreProgress> {
  const { signal } = options
  const now = options.now ?? Date.now
  const size = (await stat(options.path)).size
  const progress: ScoreProgress = { rowsRead: 0, scored: 0, alerts: 0, badRowCount: 0, firstBadRows: [], fraction: 0 }
  let bytes = 0
  let bytesScored = 0
  const read = gatherRows(
    readMappedRows(options, (n) => {
      bytes += n
    }),
    BATCH_ROWS,
  )
  const bytesRead: number[] = []
  const counted = async function* (): AsyncGenerator<readonly CsvRow[]> {
    for await (const rows of read) {
      options.onRows?.(rows)
      // The bytes behind each chunk, for the progress bar once that chunk is stored.
      bytesRead.push(bytes)
      yield rows
    }
  }

  const scoring = { model: options.model, explainFrom: options.explain === false ? null : ('MEDIUM' as const), ruleSet: options.ruleSet, lists: options.lists }
  for await (const chunk of scoreRowBatches(counted(), scoring)) {
    if (signal.aborted) throw new AppError('CONFLICT', 'cancelled')
    const at = now()
    const alerts: AnomalyParams[] = []
    const quietRows: string[] = []
    const ruleRows: RuleRow[] = []
    let piece = ''
    for (const row of chunk.scored) {
      // As ingestion records it: a suppressed alert is one the model or an ACTIVE rule raised.
      const suppressed = row.suppression !== null && isAlert(row.score, row.rules) ? row.suppression : null
      if (row.rules.length > 0 || row.shadowRules.length > 0 || suppressed !== null)
        ruleRows.push({ line: row.line, txId: row.transaction.txId, rules: row.rules, shadowRules: row.shadowRules, suppressed })
      // An allow-listed row is not an alert (row.alert is false): it stays with the quiet rows.
      if (row.alert) alerts.push(toParams(row, options, at))
      else {
        piece += quietRowLine(row.line, row.score.score, row.raw)
        if (piece.length >= WRITE_PIECE) {
          quietRows.push(piece)
          piece = ''
        }
      }
    }
    if (piece !== '') quietRows.push(piece)
    // One entry per row (its problems joined): the list counts rows, not fields.
    const badRows = chunk.rejected.map((r) => ({
      line: r.line,
      field: r.errors.map((e) => e.field).join(', ') || 'row',
      reason: r.errors.map((e) => e.reason).join('; '),
    }))
    await options.onChunk({ alerts, quietRows, badRows, ruleRows })
    progress.rowsRead += chunk.rowCount
    progress.scored += chunk.scored.length
    progress.alerts += alerts.length
    progress.badRowCount += badRows.length
    for (const b of badRows) if (progress.firstBadRows.length < FIRST_BAD_ROWS) progress.firstBadRows.push(b)
    bytesScored = bytesRead.shift() ?? bytesScored
    progress.fraction = size === 0 ? 1 : Math.min(1, bytesScored / size)
    options.onProgress(progress)
  }
  if (signal.aborted) throw new AppError('CONFLICT', 'cancelled')
  progress.fraction = 1
  return progress
}

/**
 * The file's records as rows converted with the analyst's mapping, after checking it
 * is text and still has the header row the mapping was made for.
 */
export async function* readMappedRows(
  options: Pick<ScoreCsvOptions, 'path' | 'headers' | 'mapping' | 'signal'>,
  onBytes: (n: number) => void,
): AsyncGenerator<CsvRow[]> {
  const convert = createRowConverter(options.mapping, options.headers.length)
  let first = true
  let headerSeen = false
  const checked = async function* (): AsyncGenerator<Buffer> {
    for await (const chunk of createReadStream(options.path, { highWaterMark: READ_CHUNK }) as AsyncIterable<Buffer>) {
      const problem = first ? binaryFileProblem(chunk.subarray(0, 4096)) : null
      if (problem !== null) throw new AppError('BAD_INPUT', problem)
      first = false
      onBytes(chunk.length)
      yield chunk
    }
  }
  // A line break in a mapped value is a quote left open, not a field with line breaks:
  // its lines are read as rows of their own (see csvRecords).
  const mapped = Object.entries(options.mapping).flatMap(([field, index]) => (index === undefined ? [] : [{ index, field }]))
  const spanningProblem = (values: readonly string[], header: readonly string[]): string | null => lineBreakIn(values, header, mapped)
  for await (const records of csvRecords(checked(), { recoverOpenQuotes: true, spanningProblem })) {
    if (options.signal.aborted) throw new AppError('CONFLICT', 'cancelled')
    const rows: CsvRow[] = []
    for (const record of records) {
      if (!headerSeen) {
        headerSeen = true
        if (record.values.join('\u0000') !== options.headers.join('\u0000')) {
          throw new AppError('CONFLICT', 'the file changed since its columns were mapped (different header row); open it again')
        }
        continue
      }
      rows.push(convertRecord(record, convert))
    }
    if (rows.length > 0) yield rows
  }
  if (!headerSeen) throw new AppError('BAD_INPUT', 'the file is empty (no header row)')
}

function toParams(row: ScoredRow, options: ScoreCsvOptions, at: number): AnomalyParams {
  const { batchId } = options
  const { line, transaction: tx, score: scored, rules, explanation } = row
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
    explanation: explanation?.summary ?? plainExplanation(scored.score, scored.severity, rules),
    // Same shape as the server's explanationData, so the detail pane reads both alike.
    explanation_data: JSON.stringify({
      ...(explanation === null ? { topFeatures: [] } : toExplanationData(explanation)),
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
    decision_mutation_id: null,
    decided_by_id: null,
    created_at: at,
    updated_at: at,
  }
}
