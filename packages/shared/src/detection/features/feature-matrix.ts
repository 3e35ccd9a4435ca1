import type { TTransaction } from '../../transactions/transaction-input.ts'
import { DEFAULT_FEATURE_CONFIG, FEATURE_NAMES, type FeatureConfig } from './compute-features.ts'
import { FeatureEngine } from './feature-engine.ts'

export interface LabelledTransaction {
  transaction: TTransaction
  /** Known label, if any. It feeds merchant/account risk only after the delay. */
  isFraud?: boolean | undefined
}

export interface FeatureMatrix {
  rows: Float32Array
  /** 1/0 per row; undefined rows (unlabelled) count as genuine. Null if no row had a label. */
  labels: Uint8Array | null
  count: number
  engine: FeatureEngine
}

/**
 * Features for a time-ordered sequence, feeding each label back as it goes (the state
 * only uses labels older than the configured delay, as in the handbook's protocol).
 */
export function buildFeatureMatrix(
  items: Iterable<LabelledTransaction>,
  config: FeatureConfig = DEFAULT_FEATURE_CONFIG,
  engine: FeatureEngine = new FeatureEngine(config),
): FeatureMatrix {
  const width = FEATURE_NAMES.length
  let rows = new Float32Array(width * 1024)
  let labels = new Uint8Array(1024)
  let count = 0
  let anyLabel = false
  for (const { transaction, isFraud } of items) {
    if ((count + 1) * width > rows.length) {
      const grown = new Float32Array(rows.length * 2)
      grown.set(rows)
      rows = grown
      const grownLabels = new Uint8Array(labels.length * 2)
      grownLabels.set(labels)
      labels = grownLabels
    }
    engine.process(transaction, rows.subarray(count * width, (count + 1) * width))
    if (isFraud !== undefined) {
      anyLabel = true
      labels[count] = isFraud ? 1 : 0
      if (isFraud) engine.label(transaction, true)
    }
    count += 1
  }
  return { rows: rows.slice(0, count * width), labels: anyLabel ? labels.slice(0, count) : null, count, engine }
}
