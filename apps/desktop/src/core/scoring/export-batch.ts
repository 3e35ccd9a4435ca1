import type { Writable } from 'node:stream'
import type Database from 'better-sqlite3'
import { AppError } from '@anomalyze/shared'
import type { AnomalyRecord } from '../store/anomaly-rows.ts'
import { csvLine } from './shared-node-internals.ts'

const HEADER = ['line', 'txId', 'timestamp', 'amount', 'currency', 'accountId', 'merchantId', 'category', 'country', 'channel', 'score', 'severity', 'rules', 'status', 'explanation']

type ExportRow = Pick<
  AnomalyRecord,
  'id' | 'tx_id' | 'ts' | 'amount' | 'currency' | 'account_id' | 'merchant_id' | 'category' | 'country' | 'channel' | 'score' | 'severity' | 'rules_json' | 'status' | 'explanation'
>

/**
 * Writes a local batch as a scored CSV, in file order: the mapped columns as the
 * engine read them, then score, severity, rules, the analyst's status and the
 * explanation (the same output columns as `anomalyze score`). Streams from SQLite, so
 * a million-row batch never sits in memory.
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
  let count = 0
  let after = 0
  if (!out.write(csvLine(HEADER))) await drained(out)
  for (;;) {
    const rows = page.all(batchId, after)
    if (rows.length === 0) break
    let text = ''
    for (const r of rows) {
      text += csvLine([
        r.id.slice(r.id.lastIndexOf(':') + 1), r.tx_id, new Date(r.ts).toISOString(), String(r.amount), r.currency, r.account_id, r.merchant_id,
        r.category ?? '', r.country ?? '', r.channel ?? '', r.score.toFixed(6), r.severity,
        (JSON.parse(r.rules_json) as string[]).join(';'), r.status, r.explanation,
      ])
      after = r.n
    }
    count += rows.length
    if (!out.write(text)) await drained(out)
  }
  await new Promise<void>((resolve, reject) => out.end(() => resolve()).once('error', reject))
  return count
}

function drained(out: Writable): Promise<void> {
  return new Promise((resolve) => out.once('drain', resolve))
}
