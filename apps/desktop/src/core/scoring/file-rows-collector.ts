import { AppError } from '@anomalyze/shared'
import { FEATURE_NAMES, FeatureEngine, type FeatureConfig, type TransactionExtras } from '@anomalyze/shared/engine'
import type { CsvRow } from '@anomalyze/shared/node'

/**
 * The engine's features of a file's good rows, with what only the file has (balances,
 * kind of transfer, its own label column), gathered while the file is read: the input
 * of the domain check and of the models fitted on the file (see file-fit in the
 * shared engine). The features come from a FeatureEngine of their own, fed in file
 * order like the scoring pipeline's, so account history is the same.
 */
export interface CollectedRows {
  /** Row-major, FEATURE_NAMES.length values a row. */
  features: Float32Array
  count: number
  /** File line of each collected row. */
  lines: Uint32Array
  /** Epoch ms of each row (the holdout of a label-trained model is the latest rows). */
  times: Float64Array
  extras: Array<TransactionExtras | undefined>
  /** 1 fraud, 0 genuine, -1 no label in this row. */
  labels: Int8Array
}

export interface RowsCollector {
  add(rows: readonly CsvRow[]): void
  result(): CollectedRows
}

const WIDTH = FEATURE_NAMES.length

/**
 * Keeps every good row, refusing files beyond `maxRows` (a file-fitted model needs
 * them all in memory: about 200 bytes a row).
 */
export function collectAllRows(config: FeatureConfig, maxRows: number): RowsCollector {
  return createCollector(config, maxRows, 'refuse')
}

/**
 * Keeps an evenly spread sample of at most `maxRows` good rows whatever the file's
 * length: when full, every other kept row goes and the stride doubles (deterministic,
 * and covers the whole file, not its first part).
 */
export function collectSampledRows(config: FeatureConfig, maxRows: number): RowsCollector {
  return createCollector(config, maxRows, 'thin')
}

function createCollector(config: FeatureConfig, maxRows: number, whenFull: 'refuse' | 'thin'): RowsCollector {
  const engine = new FeatureEngine(config)
  const scratch = new Float32Array(WIDTH)
  let capacity = Math.min(maxRows, 4096)
  let features = new Float32Array(capacity * WIDTH)
  let lines = new Uint32Array(capacity)
  let times = new Float64Array(capacity)
  let labels = new Int8Array(capacity)
  let extras: Array<TransactionExtras | undefined> = []
  let count = 0
  let stride = 1
  let seen = 0

  const grow = (): void => {
    capacity = Math.min(maxRows, capacity * 2)
    const f = new Float32Array(capacity * WIDTH)
    f.set(features)
    features = f
    lines = resize(lines, new Uint32Array(capacity))
    times = resize(times, new Float64Array(capacity))
    labels = resize(labels, new Int8Array(capacity))
  }
  const thin = (): void => {
    let kept = 0
    for (let i = 0; i < count; i += 2) {
      features.copyWithin(kept * WIDTH, i * WIDTH, (i + 1) * WIDTH)
      lines[kept] = lines[i] as number
      times[kept] = times[i] as number
      labels[kept] = labels[i] as number
      extras[kept] = extras[i]
      kept += 1
    }
    count = kept
    extras = extras.slice(0, kept)
    stride *= 2
  }

  return {
    add(rows) {
      for (const row of rows) {
        if (!row.result.ok) continue
        // Every good row goes through the engine: the history the kept rows see is the file's.
        engine.process(row.result.transaction, scratch, 0)
        seen += 1
        if ((seen - 1) % stride !== 0) continue
        if (count === capacity) {
          if (capacity < maxRows) grow()
          else if (whenFull === 'thin') {
            thin()
            if ((seen - 1) % stride !== 0) continue
          } else {
            throw new AppError(
              'BAD_INPUT',
              `the file has more than ${maxRows.toLocaleString('en')} good rows: too many to fit a model on this device; score a part of it`,
            )
          }
        }
        features.set(scratch, count * WIDTH)
        lines[count] = row.line
        times[count] = row.result.transaction.timestamp
        labels[count] = row.result.label === undefined ? -1 : row.result.label ? 1 : 0
        extras[count] = row.result.extras
        count += 1
      }
    },
    result() {
      return {
        features: features.subarray(0, count * WIDTH),
        count,
        lines: lines.subarray(0, count),
        times: times.subarray(0, count),
        extras: extras.slice(0, count),
        labels: labels.subarray(0, count),
      }
    },
  }
}

function resize<T extends Uint32Array | Float64Array | Int8Array>(from: T, to: T): T {
  to.set(from as never)
  return to
}
