import { severityRank, type Severity } from '@anomalyze/shared'
import { FEATURE_NAMES } from '@anomalyze/shared/engine'
import type { MovedDirection } from '../../contract/queue.ts'
import type { ModelChangeSummary } from '../../contract/sync-status.ts'
import type { ActiveLocalModel } from '../scoring/scoring-service.ts'
import type { LocalStore } from '../store/local-store.ts'
import { createRescoreRows, type RescoreResult } from '../store/rescore-rows.ts'

/** Severity at and above which a row is an alert (the model's `medium` threshold). */
const ALERT_RANK = severityRank('MEDIUM')

/** How a new severity moved a row, or null when it did not. */
export function movementOf(before: Severity, after: Severity): MovedDirection | null {
  const b = severityRank(before)
  const a = severityRank(after)
  if (a === b) return null
  if (a > b) return 'up'
  return b >= ALERT_RANK && a < ALERT_RANK ? 'dropped' : 'down'
}

export interface RescoreOptions {
  store: LocalStore
  model: ActiveLocalModel
  now: number
  /** Rows per ONNX call and per SQLite transaction. */
  chunkSize?: number
  onProgress?: (done: number, total: number) => void
}

/**
 * Re-scores every local anomaly that has a feature vector and was scored by another
 * model than `model`, in chunks (one ONNX batch and one SQLite transaction each, the
 * event loop free in between), and marks those whose severity moved. A new model
 * version starts a new summary and clears the markers of the one before; more rows
 * of the same version (pulled later, still scored by the old model) add to it.
 * Returns the summary, or null when nothing needed re-scoring.
 */
export async function rescoreQueue(options: RescoreOptions): Promise<ModelChangeSummary | null> {
  const { store, model } = options
  const rows = createRescoreRows(store.db)
  const total = rows.countCandidates(model.version)
  if (total === 0) return null
  const previous = readModelChange(store)
  const summary: ModelChangeSummary =
    previous !== null && previous.to === model.version
      ? previous
      : { from: null, to: model.version, at: options.now, rescored: 0, moved: 0, up: 0, down: 0, dropped: 0 }
  if (summary !== previous) rows.clearMoved()
  const fromCounts = new Map<string, number>()
  const width = FEATURE_NAMES.length
  const chunkSize = options.chunkSize ?? 2_000
  const input = new Float32Array(chunkSize * width)
  let afterN = 0
  let done = 0
  for (;;) {
    const chunk = rows.candidates(model.version, afterN, chunkSize)
    if (chunk.length === 0) break
    chunk.forEach((row, i) => {
      // The blob's bytes may not be 4-byte aligned in the Buffer pool: copy, do not view.
      input.set(new Float32Array(row.features.buffer.slice(row.features.byteOffset, row.features.byteOffset + width * 4)), i * width)
    })
    const scores = await model.loaded.scorer.score(input, chunk.length)
    const results: RescoreResult[] = chunk.map((row, i) => {
      const scored = scores[i]
      if (scored === undefined) throw new Error('the scorer returned fewer scores than rows')
      const moved = movementOf(row.severity, scored.severity)
      if (moved !== null) summary[moved] += 1
      if (row.model_version !== null) fromCounts.set(row.model_version, (fromCounts.get(row.model_version) ?? 0) + 1)
      return { n: row.n, score: scored.score, severity: scored.severity, moved }
    })
    rows.apply(model.version, results)
    afterN = chunk.at(-1)?.n ?? afterN
    done += chunk.length
    options.onProgress?.(done, total)
    // Let the UI's requests in between chunks.
    await new Promise((resolve) => setImmediate(resolve))
  }
  summary.rescored += done
  summary.moved = summary.up + summary.down + summary.dropped
  summary.from ??= [...fromCounts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null
  store.state.set('modelChange', JSON.stringify(summary))
  return summary
}

export function readModelChange(store: LocalStore): ModelChangeSummary | null {
  const text = store.state.get('modelChange')
  return text === null ? null : (JSON.parse(text) as ModelChangeSummary)
}
