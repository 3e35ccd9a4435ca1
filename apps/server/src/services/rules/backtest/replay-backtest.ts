import type { RuleLists } from '@anomalyze/shared'
import { FEATURE_NAMES, FeatureEngine, type CompiledRuleSet, type FeatureConfig } from '@anomalyze/shared/engine'
import type { BacktestTally, Known } from './backtest-tally.ts'
import type { BacktestWindow } from './backtest-window.ts'
import type { StoredRow } from './replay-source.ts'

export interface ReplayInput {
  window: BacktestWindow
  /** The tested (draft) set and the set in force, both compiled against `lists`. */
  draft: CompiledRuleSet
  current: CompiledRuleSet
  lists: RuleLists
  /** The active model's feature configuration (its day boundaries and label delay). */
  featureConfig: FeatureConfig
  /** Every transaction from window.replayFrom to window.to, in (timestamp, id) order. */
  pages: AsyncIterable<StoredRow[]>
  /** Rows replayed so far, after each page (the caller decides how often to store it). */
  onProgress: (processed: number) => Promise<void>
}

/**
 * Replays the organisation's history through fresh feature state, as ingestion computed
 * it, and counts every row of the window into `tally`. The history before the window
 * only builds feature state. A transaction analysts confirmed as fraud is fed back as a
 * label right after it is replayed, as deciding it fed the server's feature state
 * (push-decisions.ts): the engine's label delay (7 days by default) keeps the label out
 * of features until then, so KNOWN_COMPROMISED_ACCOUNT and merchant risk see what they
 * would have seen in production, not the future.
 */
export async function replayBacktest(input: ReplayInput, tally: BacktestTally): Promise<number> {
  const { window, draft, current, lists } = input
  const engine = new FeatureEngine(input.featureConfig)
  const features = new Float32Array(FEATURE_NAMES.length)
  let processed = 0
  for await (const page of input.pages) {
    for (const row of page) {
      engine.process(row, features, 0)
      const known = knownOf(row.alertStatus)
      if (row.timestamp >= window.from && row.timestamp <= window.to) {
        tally.add(row, known, draft.evaluate(row, features, 0, lists), current.evaluate(row, features, 0, lists))
      }
      if (known.decision === 'CONFIRMED_FRAUD') engine.label(row, true)
    }
    processed += page.length
    await input.onProgress(processed)
  }
  return processed
}

// The four things a row's alert can say, shared by every row (none allocated per row).
const NO_ALERT: Known = { decision: null, alert: false }
const UNDECIDED: Known = { decision: null, alert: true }
const FRAUD: Known = { decision: 'CONFIRMED_FRAUD', alert: true }
const FALSE_POSITIVE: Known = { decision: 'FALSE_POSITIVE', alert: true }

function knownOf(alertStatus: string | null): Known {
  if (alertStatus === null) return NO_ALERT
  return alertStatus === 'CONFIRMED_FRAUD' ? FRAUD : alertStatus === 'FALSE_POSITIVE' ? FALSE_POSITIVE : UNDECIDED
}
