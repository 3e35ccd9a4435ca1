import { createReadStream } from 'node:fs'
import { once } from 'node:events'
import { dirname } from 'node:path'
import { createRowConverter, MAPPABLE_FIELDS, type MappableField } from '@anomalyze/shared/engine'
import type { FieldMapping } from '../../contract/scoring.ts'
import { csvField, csvLine, csvRecords, ensurePrivateDirAsync, openPrivateWriteStream } from '@anomalyze/shared/node'

/**
 * Columns of a scored file as the analyst exports it: the mapped columns as the engine
 * read them, then score, severity, rules, the analyst's status and the explanation
 * (the same output columns as `anomalyze score`).
 */
export const SCORED_CSV_HEADER = [
  'line',
  'txId',
  'timestamp',
  'amount',
  'currency',
  'accountId',
  'merchantId',
  'category',
  'country',
  'channel',
  'score',
  'severity',
  'rules',
  'status',
  'explanation',
] as const

export interface ScoredCsvRow {
  line: number
  txId: string
  ts: number
  amount: number
  currency: string
  accountId: string
  merchantId: string
  category: string | null
  country: string | null
  channel: string | null
  score: number
  severity: string
  rules: readonly string[]
  /** Empty for rows that never went to the queue (nobody triages them). */
  status: string
  explanation: string
}

/** One row in SCORED_CSV_HEADER order. */
export function scoredCsvLine(r: ScoredCsvRow): string {
  // Only the columns that come from the file can need quoting: the numbers, dates,
  // severities and rule names written here never do.
  return `${r.line},${csvField(r.txId)},${new Date(r.ts).toISOString()},${r.amount},${csvField(r.currency)},${csvField(r.accountId)},${csvField(r.merchantId)},${csvField(r.category ?? '')},${csvField(r.country ?? '')},${csvField(r.channel ?? '')},${r.score.toFixed(6)},${r.severity},${r.rules.join(';')},${r.status},${csvField(r.explanation)}\n`
}

/** The explanation of a row below MEDIUM (no tree walk for those, like the CLI). */
export function plainExplanation(score: number, severity: string, rules: readonly string[]): string {
  return `Score ${score.toFixed(2)} (${severity})${rules.length > 0 ? `; rules fired: ${rules.join(', ')}` : ''}.`
}

/**
 * The scored rows of a batch that are not in the queue: LOW, no rule fired (see
 * isAlert). Written for every such row while a file is scored, so each is kept as
 * cheaply as the CLI writes its output: line number, score, and the record as read.
 * The export turns them into SCORED_CSV_HEADER rows with the same converter and
 * mapping (kept on the file's first line), so they read exactly as when scored.
 */
const FORMAT = 'anomalyze-quiet-rows-1'

export function quietRowsHeader(mapping: FieldMapping, columnCount: number): string {
  return csvLine([FORMAT, String(columnCount), ...Object.entries(mapping).map(([field, index]) => `${field}=${index}`)])
}

export function quietRowLine(line: number, score: number, raw: string): string {
  // `${score}` is the shortest exact form of the double: the export rounds it as before.
  return `${line},${score},${raw}\n`
}

/** Appends to a batch's rows file, waiting when the disk is slower than scoring. */
export interface ScoredRowsWriter {
  write(text: string): Promise<void>
  /** Flushes and closes: the rows are on disk when this resolves. */
  close(): Promise<void>
  /** Closes without caring for what was written (the file is deleted after). */
  abort(): Promise<void>
}

export async function openScoredRowsWriter(path: string, header: string): Promise<ScoredRowsWriter> {
  // The analyst's data, like the cache beside it: readable by this user only.
  await ensurePrivateDirAsync(dirname(path))
  const out = await openPrivateWriteStream(path)
  out.write(header)
  return {
    async write(text) {
      if (text !== '' && !out.write(text)) await once(out, 'drain')
    },
    async close() {
      await new Promise<void>((resolve, reject) => {
        out.once('error', reject)
        out.end(() => resolve())
      })
    },
    async abort() {
      if (out.closed) return
      const closed = once(out, 'close').catch(() => undefined)
      out.destroy()
      await closed
    },
  }
}

/**
 * A batch's rows file as SCORED_CSV_HEADER rows, in file order, with their line
 * numbers. Nothing when the file does not exist: batches scored before rows were kept
 * outside the queue have every row in the anomalies table.
 */
export async function* readScoredRows(path: string): AsyncGenerator<Array<{ line: number; text: string }>> {
  const input = createReadStream(path, { highWaterMark: 256 << 10 })
  const present = await new Promise<boolean>((resolve, reject) => {
    input.once('open', () => resolve(true))
    input.once('error', (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? resolve(false) : reject(error)))
  })
  if (!present) return
  let convert: ReturnType<typeof createRowConverter> | null = null
  for await (const records of csvRecords(input)) {
    const rows: Array<{ line: number; text: string }> = []
    for (const record of records) {
      if (convert === null) {
        convert = converterOf(record.values, path)
        continue
      }
      const line = Number(record.values[0])
      const score = Number(record.values[1])
      const converted = convert(record.values.slice(2), line)
      if (!converted.ok) throw new Error(`${path} line ${record.line}: a stored row no longer converts (${converted.errors[0]?.reason ?? 'unknown'})`)
      const t = converted.transaction
      const text = scoredCsvLine({
        line,
        txId: t.txId,
        ts: t.timestamp,
        amount: t.amount,
        currency: t.currency,
        accountId: t.accountId,
        merchantId: t.merchantId,
        category: t.category ?? null,
        country: t.country ?? null,
        channel: t.channel ?? null,
        score,
        severity: 'LOW',
        rules: [],
        status: '',
        explanation: plainExplanation(score, 'LOW', []),
      })
      rows.push({ line, text })
    }
    if (rows.length > 0) yield rows
  }
}

function converterOf(header: readonly string[], path: string): ReturnType<typeof createRowConverter> {
  const [format, columns, ...pairs] = header
  if (format !== FORMAT) throw new Error(`${path} is not a scored-rows file of this version (${format ?? 'empty'})`)
  const mapping: FieldMapping = {}
  for (const pair of pairs) {
    const [field, index] = pair.split('=')
    if (!(MAPPABLE_FIELDS as readonly string[]).includes(field ?? '')) throw new Error(`${path}: unknown field in the mapping: ${pair}`)
    mapping[field as MappableField] = Number(index)
  }
  return createRowConverter(mapping, Number(columns))
}
