import { createReadStream } from 'node:fs'
import type Database from 'better-sqlite3'
import { AppError, type TTransaction } from '@anomalyze/shared'
import { createRowConverter, FEATURE_NAMES, FeatureEngine, MAPPABLE_FIELDS, type FeatureConfig, type MappableField } from '@anomalyze/shared/engine'
import { csvRecords } from '@anomalyze/shared/node'
import type { FieldMapping } from '../../contract/scoring.ts'
import type { LocalBacktestSources } from '../../contract/rules.ts'
import { quietRowsHeader } from '../scoring/scored-rows-file.ts'
import { scoredRowsPath } from '../store/local-batches.ts'
import type { Decision, TalliedRow } from './backtest-tally.ts'

const WIDTH = FEATURE_NAMES.length

/** Rows with their transactions and feature rows (row i's at features[i * WIDTH]). */
export interface BacktestSlice {
  rows: TalliedRow[]
  transactions: TTransaction[]
  features: Float32Array
}

export interface BacktestPlan {
  sources: LocalBacktestSources
  /** Rows the backtest will evaluate (alerts with a feature row, and every scored file row). */
  total: number
}

interface AlertColumns {
  n: number
  id: string
  tx_id: string
  ts: number
  amount: number
  currency: string
  account_id: string
  merchant_id: string
  category: string | null
  country: string | null
  channel: string | null
  status: string
}

const ALERT_COLUMNS = 'n, id, tx_id, ts, amount, currency, account_id, merchant_id, category, country, channel, status'
const PAGE = 5_000

/**
 * What a local backtest reads: the synced alerts that carry the feature row the server
 * scored (the others cannot be evaluated), and the finished scored files (all of
 * them, or the ones named; an unknown or unfinished one is NOT_FOUND).
 */
export function planBacktest(db: Database.Database, batchIds: readonly string[] | undefined): BacktestPlan {
  const cachedAlerts =
    db
      .prepare<[number], number>('SELECT COUNT(*) FROM anomalies WHERE batch_id IS NULL AND length(features) = ?')
      .pluck()
      .get(WIDTH * 4) ?? 0
  const done = db
    .prepare<[], { id: string; name: string; row_count: number }>("SELECT id, name, row_count FROM local_batches WHERE state = 'done' ORDER BY created_at, id")
    .all()
  let files = done
  if (batchIds !== undefined) {
    const known = new Set(done.map((b) => b.id))
    const missing = batchIds.filter((id) => !known.has(id))
    if (missing.length > 0)
      throw new AppError('NOT_FOUND', `no scored file ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''}`)
    const wanted = new Set(batchIds)
    files = done.filter((b) => wanted.has(b.id))
  }
  const sources: LocalBacktestSources = { cachedAlerts, files: files.map((f) => ({ batchId: f.id, name: f.name, rows: f.row_count })) }
  return { sources, total: cachedAlerts + files.reduce((sum, f) => sum + f.row_count, 0) }
}

/**
 * Every row of the plan in slices of up to `sliceRows`: first the synced alerts (their
 * stored feature rows), then each scored file replayed in file order through a fresh
 * FeatureEngine with the scoring model's settings, exactly as it was scored: its
 * queue rows (SQLite) and its other rows (the scored-rows file) merged by line.
 */
export async function* readBacktestSlices(
  db: Database.Database,
  plan: BacktestPlan,
  featureConfig: FeatureConfig,
  sliceRows: number,
): AsyncGenerator<BacktestSlice> {
  const slices = new SliceBuilder(sliceRows)
  const alertPage = db.prepare<[number, number], AlertColumns & { features: Buffer }>(
    `SELECT ${ALERT_COLUMNS}, features FROM anomalies WHERE batch_id IS NULL AND length(features) = ? AND n > ? ORDER BY n LIMIT ${PAGE}`,
  )
  for (let after = 0; ;) {
    const page = alertPage.all(WIDTH * 4, after)
    if (page.length === 0) break
    after = page.at(-1)?.n ?? after
    for (const row of page) {
      const slot = slices.push(talliedOf(row, row.id), transactionOf(row))
      slices.features.set(featuresOf(row.features), slot * WIDTH)
      if (slices.full()) yield slices.take()
    }
  }
  for (const file of plan.sources.files) {
    const engine = new FeatureEngine(featureConfig)
    for await (const row of fileRows(db, file.batchId)) {
      const slot = slices.push(row.tallied, row.transaction)
      engine.process(row.transaction, slices.features, slot * WIDTH)
      if (slices.full()) yield slices.take()
    }
  }
  if (!slices.empty()) yield slices.take()
}

class SliceBuilder {
  rows: TalliedRow[] = []
  transactions: TTransaction[] = []
  features: Float32Array

  constructor(private readonly size: number) {
    this.features = new Float32Array(size * WIDTH)
  }

  push(row: TalliedRow, transaction: TTransaction): number {
    this.rows.push(row)
    this.transactions.push(transaction)
    return this.rows.length - 1
  }

  full(): boolean {
    return this.rows.length >= this.size
  }

  empty(): boolean {
    return this.rows.length === 0
  }

  take(): BacktestSlice {
    const slice = { rows: this.rows, transactions: this.transactions, features: this.features.subarray(0, this.rows.length * WIDTH) }
    this.rows = []
    this.transactions = []
    this.features = new Float32Array(this.size * WIDTH)
    return slice
  }
}

/** A scored file's rows in file order: queue rows and quiet rows merged by line number. */
async function* fileRows(db: Database.Database, batchId: string): AsyncGenerator<{ tallied: TalliedRow; transaction: TTransaction }> {
  // `+batch_id`: stay on the rowid range (a batch's rows are contiguous), as the export does.
  const alertPage = db.prepare<[string, number], AlertColumns>(`SELECT ${ALERT_COLUMNS} FROM anomalies WHERE +batch_id = ? AND n > ? ORDER BY n LIMIT ${PAGE}`)
  let queued: AlertColumns[] = []
  let next = 0
  let after = 0
  let exhausted = false
  const peek = (): AlertColumns | undefined => {
    if (next >= queued.length && !exhausted) {
      queued = alertPage.all(batchId, after)
      next = 0
      exhausted = queued.length === 0
      after = queued.at(-1)?.n ?? after
    }
    return queued[next]
  }
  const alertRow = (row: AlertColumns): { tallied: TalliedRow; transaction: TTransaction } => {
    next += 1
    return { tallied: talliedOf(row, row.id), transaction: transactionOf(row) }
  }
  for await (const quiet of readQuietRows(scoredRowsPath(db, batchId))) {
    for (let q = peek(); q !== undefined && lineOf(q.id) < quiet.line; q = peek()) yield alertRow(q)
    const t = quiet.transaction
    yield {
      transaction: t,
      tallied: {
        id: `${batchId}:${quiet.line}`,
        txId: t.txId,
        timestamp: t.timestamp,
        amount: t.amount,
        accountId: t.accountId,
        merchantId: t.merchantId,
        decision: null,
        alert: false,
      },
    }
  }
  for (let q = peek(); q !== undefined; q = peek()) yield alertRow(q)
}

// The scored-rows file's format tag, as scored-rows-file.ts writes it on the first line.
const QUIET_ROWS_FORMAT = quietRowsHeader({}, 0).split(',')[0]

/**
 * The rows of a scored-rows file (see scored-rows-file.ts: a header with the format,
 * the column count and the mapping, then `line,score,record`) converted again with
 * the mapping they were scored with. Nothing when the file does not exist.
 */
async function* readQuietRows(path: string): AsyncGenerator<{ line: number; transaction: TTransaction }> {
  const input = createReadStream(path, { highWaterMark: 256 << 10 })
  const present = await new Promise<boolean>((resolve, reject) => {
    input.once('open', () => resolve(true))
    input.once('error', (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? resolve(false) : reject(error)))
  })
  if (!present) return
  let convert: ReturnType<typeof createRowConverter> | null = null
  for await (const records of csvRecords(input)) {
    for (const record of records) {
      if (convert === null) {
        convert = converterOf(record.values, path)
        continue
      }
      const line = Number(record.values[0])
      const converted = convert(record.values.slice(2), line)
      if (!converted.ok) throw new Error(`${path} line ${record.line}: a stored row no longer converts (${converted.errors[0]?.reason ?? 'unknown'})`)
      yield { line, transaction: converted.transaction }
    }
  }
}

function converterOf(header: readonly string[], path: string): ReturnType<typeof createRowConverter> {
  const [format, columns, ...pairs] = header
  if (format !== QUIET_ROWS_FORMAT) throw new Error(`${path} is not a scored-rows file of this version (${format ?? 'empty'})`)
  const mapping: FieldMapping = {}
  for (const pair of pairs) {
    const [field, index] = pair.split('=')
    if (!(MAPPABLE_FIELDS as readonly string[]).includes(field ?? '')) throw new Error(`${path}: unknown field in the mapping: ${pair}`)
    mapping[field as MappableField] = Number(index)
  }
  return createRowConverter(mapping, Number(columns))
}

function lineOf(id: string): number {
  return Number(id.slice(id.lastIndexOf(':') + 1))
}

function decisionOf(status: string): Decision | null {
  return status === 'CONFIRMED_FRAUD' || status === 'FALSE_POSITIVE' ? status : null
}

function talliedOf(row: AlertColumns, id: string): TalliedRow {
  return {
    id,
    txId: row.tx_id,
    timestamp: row.ts,
    amount: row.amount,
    accountId: row.account_id,
    merchantId: row.merchant_id,
    decision: decisionOf(row.status),
    alert: true,
  }
}

/** The transaction as scoring saw it: the fields the rules and the feature engine read. */
function transactionOf(row: AlertColumns): TTransaction {
  return {
    txId: row.tx_id,
    timestamp: row.ts,
    amount: row.amount,
    currency: row.currency,
    accountId: row.account_id,
    merchantId: row.merchant_id,
    ...(row.category === null ? {} : { category: row.category }),
    ...(row.country === null ? {} : { country: row.country }),
    ...(row.channel === null ? {} : { channel: row.channel }),
  }
}

/** A stored feature row (float32 little-endian, FEATURE_NAMES order: see anomaly-rows.ts featuresBlob). */
function featuresOf(blob: Buffer): Float32Array {
  const copy = new Float32Array(WIDTH)
  for (let i = 0; i < WIDTH; i += 1) copy[i] = blob.readFloatLE(i * 4)
  return copy
}
