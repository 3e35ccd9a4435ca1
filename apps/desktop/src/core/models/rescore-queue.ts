import { severityRank, type Severity } from '@anomalyze/shared'
import {
  applyRuleOutcome,
  explainScore,
  FEATURE_NAMES,
  outcomeOfFired,
  severityOf,
  toExplanationData,
  type Explanation,
  type ModelScore,
} from '@anomalyze/shared/engine'
import type { RuleDefinition } from '@anomalyze/shared'
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

/**
 * What the stored explanation_data holds for a re-scored row: the same version-2 shape
 * as server ingestion and file scoring write (toExplanationData), so the detail pane's
 * bars stay in score points after a model change, with the new model's two parts.
 */
export function explanationDataOf(explanation: Explanation, scored: Pick<ModelScore, 'isolationScore' | 'fraudProbability'>): Record<string, unknown> {
  return { ...toExplanationData(explanation), isolationScore: scored.isolationScore, fraudProbability: scored.fraudProbability }
}

export interface RescoreOptions {
  store: LocalStore
  model: ActiveLocalModel
  now: number
  /** Rows per ONNX call and per SQLite transaction. */
  chunkSize?: number
  onProgress?: (done: number, total: number) => void
  /** The rule set in force: a row's fired rules keep their boost and floor under the new model. */
  rules?: readonly RuleDefinition[]
}

/** The part of the summary kept in sync state; the moved figures are counted live. */
type StoredChange = Pick<ModelChangeSummary, 'from' | 'to' | 'at' | 'rescored'>

/**
 * Re-scores every local anomaly that has a feature vector and was scored by another
 * model than `model`, in chunks (one ONNX batch and one SQLite transaction each, the
 * event loop free in between), recomputes its explanation, and marks those whose
 * severity moved. Synced rows it cannot re-score (no vector) keep their score and get
 * the active model's severity for it, so every row's severity is the active model's
 * mapping of the score it shows. A new model version clears the markers of the one
 * before; more rows of the same version (pulled later) add to them.
 * Returns the summary, or null when no row needed either.
 */
export async function rescoreQueue(options: RescoreOptions): Promise<ModelChangeSummary | null> {
  const { store, model } = options
  const rows = createRescoreRows(store.db)
  const thresholds = model.loaded.model.thresholds
  const total = rows.countCandidates(model.version)
  const remaps = rows
    .unscorable(model.version)
    .map((r) => ({ n: r.n, severity: severityOf(thresholds, r.score), before: r.severity }))
    .filter((r) => r.severity !== r.before)
  if (total === 0 && remaps.length === 0) return null
  const previous = readStoredChange(store)
  const change: StoredChange = previous !== null && previous.to === model.version ? previous : { from: null, to: model.version, at: options.now, rescored: 0 }
  if (change !== previous) rows.clearMoved()
  rows.remap(remaps.map((r) => ({ n: r.n, severity: r.severity, moved: movementOf(r.before, r.severity) })))
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
      const modelScore = scores[i]
      if (modelScore === undefined) throw new Error('the scorer returned fewer scores than rows')
      const fired = parseRules(row.rules_json)
      // As when the row was first scored (server ingestion, file scoring): the fired rules' boost and floor on top.
      const scored = applyRuleOutcome(modelScore, outcomeOfFired(options.rules ?? [], fired), thresholds)
      if (row.model_version !== null) fromCounts.set(row.model_version, (fromCounts.get(row.model_version) ?? 0) + 1)
      const explanation = explainScore(model.loaded.model, input.subarray(i * width, (i + 1) * width), fired, { scored, currency: row.currency })
      return {
        n: row.n,
        score: scored.score,
        severity: scored.severity,
        moved: movementOf(row.severity, scored.severity),
        explanation: explanation.summary,
        explanationData: JSON.stringify(explanationDataOf(explanation, modelScore)),
      }
    })
    rows.apply(model.version, results)
    afterN = chunk.at(-1)?.n ?? afterN
    done += chunk.length
    options.onProgress?.(done, total)
    // Let the UI's requests in between chunks.
    await new Promise((resolve) => setImmediate(resolve))
  }
  change.rescored += done
  change.from ??= [...fromCounts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null
  store.state.set('modelChange', JSON.stringify(change))
  return readModelChange(store)
}

function parseRules(json: string): string[] {
  const parsed: unknown = JSON.parse(json)
  return Array.isArray(parsed) ? parsed.filter((r): r is string => typeof r === 'string') : []
}

function readStoredChange(store: LocalStore): StoredChange | null {
  const text = store.state.get('modelChange')
  if (text === null) return null
  const { from, to, at, rescored } = JSON.parse(text) as StoredChange
  return { from, to, at, rescored }
}

/**
 * The last model change with its moved figures counted now, by the Moved filter's own
 * predicate: a later pull that replaces a marked row, or decided rows, can never make
 * the status bar say more (or fewer) rows moved than the filter lists.
 */
export function readModelChange(store: LocalStore): ModelChangeSummary | null {
  const change = readStoredChange(store)
  if (change === null) return null
  const counts = createRescoreRows(store.db).countMoved()
  return { ...change, ...counts, moved: counts.up + counts.down + counts.dropped }
}
