import type { ScoringAvailability } from '../../contract/scoring.ts'

/**
 * What the console needs from the detection engine (packages/shared/src/detection and
 * src/node, being written now). The console owns files, batches and progress; the
 * engine owns column mapping, features, rules and the ONNX model.
 */
export interface ColumnMappingProposal {
  headers: string[]
  /** Field name -> zero-based column index. */
  mapping: Record<string, number>
  /** Problems that make the file unusable as mapped (e.g. no amount column). */
  errors: string[]
}

export interface ScoreProgress {
  rowsDone: number
  /** Bytes read / file size: rows are not counted before they are read. */
  fraction: number
}

export interface ScoredRow {
  line: number
  txId: string
  timestamp: number
  amount: number
  currency: string
  accountId: string
  merchantId: string
  category: string | null
  country: string | null
  channel: string | null
  score: number
  severity: 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL'
  rules: string[]
  explanation: string
}

export interface BadRow {
  line: number
  message: string
}

export interface ScoreFileResult {
  modelVersion: string
  rows: number
  badRows: BadRow[]
}

export interface ScoringEngine {
  mapColumns(headers: readonly string[]): ColumnMappingProposal
  /** Streams the file; bad rows are reported and skipped, good rows still scored. */
  scoreFile(
    path: string,
    mapping: Record<string, number>,
    onRows: (rows: ScoredRow[]) => void,
    onProgress: (progress: ScoreProgress) => void,
    signal: AbortSignal,
  ): Promise<ScoreFileResult>
}

/**
 * Until the engine lands the console says so plainly instead of inventing scores.
 * TODO(issue 5): wire to the detection engine's node entry point when it is exported.
 */
export function scoringAvailability(engine: ScoringEngine | null): ScoringAvailability {
  return engine === null
    ? { available: false, reason: 'On-device scoring is waiting for the detection engine (column mapping, features and the ONNX model), which is not wired into the console yet.' }
    : { available: true, reason: null }
}
