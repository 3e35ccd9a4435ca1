import { writeFileSync } from 'node:fs'
import { generateTransactions } from '@anomalyze/shared/engine'

export interface GeneratedCsvOptions {
  /** Data rows to write (bad rows included). */
  rows: number
  seed?: number
  /** 1-based data-row positions to spoil (their file line is position + 1). */
  badAt?: readonly number[]
}

export const GENERATED_CSV_HEADER = 'TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,CURRENCY'

/**
 * A transactions CSV in the fraud handbook's column names, from the shared generator.
 * Spoiled rows get a non-numeric amount, so each is one bad row at a known line.
 */
export function generatedCsv(options: GeneratedCsvOptions): { text: string; badLines: number[] } {
  const bad = new Set(options.badAt ?? [])
  const lines = [GENERATED_CSV_HEADER]
  let i = 0
  const customers = Math.max(50, Math.ceil(options.rows / 40))
  for (const { transaction: t } of generateTransactions({ seed: options.seed ?? 11, customers, days: 60 })) {
    if (i >= options.rows) break
    i += 1
    const amount = bad.has(i) ? 'twelve' : t.amount.toFixed(2)
    lines.push(`${t.txId},${new Date(t.timestamp).toISOString().slice(0, 19).replace('T', ' ')},${t.accountId},${t.merchantId},${amount},${t.currency}`)
  }
  if (i < options.rows) throw new Error(`the generator gave only ${i} rows`)
  return { text: `${lines.join('\n')}\n`, badLines: [...bad].sort((a, b) => a - b).map((n) => n + 1) }
}

export function writeGeneratedCsv(path: string, options: GeneratedCsvOptions): number[] {
  const { text, badLines } = generatedCsv(options)
  writeFileSync(path, text)
  return badLines
}
