/**
 * The handbook's simulated transactions read once, with every row's features computed
 * once in time order, so each rolling week (and each candidate model) reuses them.
 */
import { createReadStream } from 'node:fs'
import { FEATURE_NAMES } from '../src/detection/features/compute-features.ts'
import { FeatureEngine } from '../src/detection/features/feature-engine.ts'
import { readTransactionsCsv } from '../src/node/csv/read-transactions-csv.ts'

export const DAY_MS = 86_400_000

export interface HandbookData {
  count: number
  width: number
  /** Row-major features, one row per transaction in file order. */
  features: Float32Array
  /** 1 = fraud. */
  labels: Uint8Array
  /** UTC day number (days since 1970-01-01) of each transaction. */
  days: Int32Array
  timestamps: Float64Array
  cards: string[]
  terminals: string[]
  /** The simulator's TX_FRAUD_SCENARIO, or null when the file has no such column. */
  scenarios: Int8Array | null
  /** Indices in time order. */
  order: Uint32Array
  firstDay: number
  lastDay: number
}

export async function readHandbookData(path: string): Promise<HandbookData> {
  const cards: string[] = []
  const terminals: string[] = []
  const timestamps: number[] = []
  const labels: number[] = []
  const scenarios: number[] = []
  let scenarioColumn = -1
  const onHeader = ({ headers }: { headers: string[] }): void => {
    scenarioColumn = headers.findIndex((h) => h.trim().toUpperCase() === 'TX_FRAUD_SCENARIO')
  }
  const engine = new FeatureEngine()
  const width = FEATURE_NAMES.length
  const pending: Array<{ row: number; tx: Parameters<FeatureEngine['process']>[0] }> = []
  for await (const row of readTransactionsCsv(createReadStream(path), { onHeader })) {
    if (!row.result.ok) continue
    const tx = row.result.transaction
    pending.push({ row: cards.length, tx })
    cards.push(tx.accountId)
    terminals.push(tx.merchantId)
    timestamps.push(tx.timestamp)
    labels.push(row.result.label ? 1 : 0)
    scenarios.push(scenarioColumn >= 0 ? Number(row.values[scenarioColumn]) : 0)
  }
  const count = cards.length
  const order = Uint32Array.from({ length: count }, (_, i) => i).sort((a, b) => (timestamps[a] as number) - (timestamps[b] as number) || a - b)
  // Every label is fed back at once: the feature state itself only lets labels older
  // than the 7-day delay count, as the handbook's protocol does.
  const features = new Float32Array(count * width)
  for (const i of order) {
    const { tx } = pending[i] as (typeof pending)[number]
    engine.process(tx, features.subarray(i * width, (i + 1) * width))
    if (labels[i]) engine.label(tx, true)
  }
  const days = Int32Array.from(timestamps, (t) => Math.floor(t / DAY_MS))
  return {
    count,
    width,
    features,
    labels: Uint8Array.from(labels),
    days,
    timestamps: Float64Array.from(timestamps),
    cards,
    terminals,
    scenarios: scenarioColumn >= 0 ? Int8Array.from(scenarios) : null,
    order,
    firstDay: count ? (days[order[0] as number] as number) : 0,
    lastDay: count ? (days[order[count - 1] as number] as number) : 0,
  }
}

/** The rows at `indices`, row-major. */
export function pickRows(data: HandbookData, indices: ArrayLike<number>): Float32Array {
  const { width, features } = data
  const out = new Float32Array(indices.length * width)
  for (let k = 0; k < indices.length; k += 1) {
    const i = indices[k] as number
    out.set(features.subarray(i * width, (i + 1) * width), k * width)
  }
  return out
}
