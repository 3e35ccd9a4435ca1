import type { Writable } from 'node:stream'
import type Database from 'better-sqlite3'
import { AppError } from '@anomalyze/shared'
import type { AnomalyRecord } from '../store/anomaly-rows.ts'
import { scoredRowsPath } from '../store/local-batches.ts'
import { readScoredRows, SCORED_CSV_HEADER, scoredCsvLine } from './scored-rows-file.ts'
import { csvLine } from '@anomalyze/shared/node'

type ExportRow = Pick<
  AnomalyRecord,
  | 'id'
  | 'tx_id'
  | 'ts'
  | 'amount'
  | 'currency'
  | 'account_id'
  | 'merchant_id'
  | 'category'
  | 'country'
  | 'channel'
  | 'score'
  | 'severity'
  | 'rules_json'
  | 'status'
  | 'explanation'
>

/**
 * Writes a local batch as a scored CSV with every scored row once, in file order
 * (SCORED_CSV_HEADER columns). The batch's rows live in two places: the queue rows
 * (alerts, with the analyst's status) in SQLite, and the other rows in the batch's
 * scored-rows file; both are in file order, so this is a merge by line number.
 * Streams both, so a million-row batch never sits in memory.
 */
export async function writeBatchCsv(db: Database.Database, batchId: string, out: Writable): Promise<number> {
  const exists = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM local_batches WHERE id = ?').get(batchId)
  if ((exists?.n ?? 0) === 0) throw new AppError('NOT_FOUND', `no local batch ${batchId}`)
  // Keyset pages rather than one open iterator: the connection must stay free for
  // other queries while this waits on a slow reader. `+batch_id` keeps SQLite on the
  // rowid range (a batch's rows are contiguous) instead of sorting the batch per page.
  const page = db.prepare<[string, number], ExportRow & { n: number }>(
    `SELECT n, id, tx_id, ts, amount, currency, account_id, merchant_id, category, country, channel, score, severity, rules_json, status, explanation
     FROM anomalies WHERE +batch_id = ? AND n > ? ORDER BY n LIMIT 5000`,
  )
  let after = 0
  let queued: Array<{ line: number; text: string }> = []
  let next = 0
  let exhausted = false
  const nextQueued = (): { line: number; text: string } | undefined => {
    if (next >= queued.length && !exhausted) {
      const rows = page.all(batchId, after)
      exhausted = rows.length === 0
      queued = rows.map((r) => ({ line: lineOf(r.id), text: toCsv(r) }))
      next = 0
      after = rows.at(-1)?.n ?? after
    }
    return queued[next]
  }

  let count = 0
  let text = ''
  const flush = async (): Promise<void> => {
    if (!out.write(text)) await drained(out)
    text = ''
  }
  text += csvLine(SCORED_CSV_HEADER)
  for await (const rows of readScoredRows(scoredRowsPath(db, batchId))) {
    for (const row of rows) {
      for (let q = nextQueued(); q !== undefined && q.line < row.line; q = nextQueued()) {
        text += q.text
        next += 1
        count += 1
      }
      text += row.text
      count += 1
    }
    await flush()
  }
  for (let q = nextQueued(); q !== undefined; q = nextQueued()) {
    text += q.text
    next += 1
    count += 1
    if (next === queued.length) await flush()
  }
  await flush()
  await new Promise<void>((resolve, reject) => out.end(() => resolve()).once('error', reject))
  return count
}

function lineOf(id: string): number {
  return Number(id.slice(id.lastIndexOf(':') + 1))
}

function toCsv(r: ExportRow): string {
  return scoredCsvLine({
    line: lineOf(r.id),
    txId: r.tx_id,
    ts: r.ts,
    amount: r.amount,
    currency: r.currency,
    accountId: r.account_id,
    merchantId: r.merchant_id,
    category: r.category,
    country: r.country,
    channel: r.channel,
    score: r.score,
    severity: r.severity,
    rules: JSON.parse(r.rules_json) as string[],
    status: r.status,
    explanation: r.explanation,
  })
}

function drained(out: Writable): Promise<void> {
  return new Promise((resolve) => out.once('drain', resolve))
}
