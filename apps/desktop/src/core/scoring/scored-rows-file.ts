import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { once } from 'node:events'
import { dirname } from 'node:path'
import { csvField, csvRecords } from './shared-node-internals.ts'

/**
 * Columns of a scored file as the analyst exports it: the mapped columns as the engine
 * read them, then score, severity, rules, the analyst's status and the explanation
 * (the same output columns as `anomalyze score`).
 */
export const SCORED_CSV_HEADER = [
  'line', 'txId', 'timestamp', 'amount', 'currency', 'accountId', 'merchantId', 'category', 'country', 'channel', 'score', 'severity', 'rules', 'status', 'explanation',
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

/**
 * One row in SCORED_CSV_HEADER order. Called for every scored row while a file is
 * scored, so only the columns that come from the file are checked for quoting: the
 * numbers, dates, severities and rule names this code writes never need it.
 */
export function scoredCsvLine(r: ScoredCsvRow): string {
  return `${r.line},${csvField(r.txId)},${new Date(r.ts).toISOString()},${r.amount},${csvField(r.currency)},${csvField(r.accountId)},${csvField(r.merchantId)},${csvField(r.category ?? '')},${csvField(r.country ?? '')},${csvField(r.channel ?? '')},${r.score.toFixed(6)},${r.severity},${r.rules.join(';')},${r.status},${csvField(r.explanation)}\n`
}

/** Appends scored rows to a file, waiting when the disk is slower than scoring. */
export interface ScoredRowsWriter {
  write(text: string): Promise<void>
  /** Flushes and closes: the rows are on disk when this resolves. */
  close(): Promise<void>
  /** Closes without caring for what was written (the file is deleted after). */
  abort(): Promise<void>
}

export async function openScoredRowsWriter(path: string): Promise<ScoredRowsWriter> {
  // The analyst's data, like the cache beside it: readable by this user only.
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const out = createWriteStream(path, { mode: 0o600 })
  await once(out, 'open')
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
 * The rows of a scored-rows file, in file order, with their line numbers and text as
 * written (echoed as is by the export). Nothing when the file does not exist: batches
 * scored before rows were kept outside the queue have every row in the anomalies table.
 */
export async function* readScoredRows(path: string): AsyncGenerator<Array<{ line: number; text: string }>> {
  const input = createReadStream(path, { highWaterMark: 256 << 10 })
  const present = await new Promise<boolean>((resolve, reject) => {
    input.once('open', () => resolve(true))
    input.once('error', (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? resolve(false) : reject(error)))
  })
  if (!present) return
  for await (const records of csvRecords(input)) {
    yield records.map((r) => ({ line: Number(r.values[0]), text: r.raw }))
  }
}
