import { toSafeText } from '@anomalyze/shared'

/**
 * A Postgres error that says the data is wrong, not that the database is unavailable:
 * class 22 (data exception: bad JSON, a value out of range, invalid text), class 23
 * (integrity: NOT NULL, CHECK, foreign key) except 23505, which ingest handles for
 * txIds (ON CONFLICT) and which elsewhere means a race worth retrying, and 54000 (a
 * value over a program limit, such as an index row too large). Such an error comes back
 * on every retry, so the rows that cause it are rejected instead of the whole call or
 * chunk being failed or retried (see ingest-transactions.ts and run-batch-job.ts).
 */
export function isDataError(error: unknown): error is Error & { code: string } {
  const code = (error as { code?: unknown } | null)?.code
  if (!(error instanceof Error) || typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return false
  return code.startsWith('22') || (code.startsWith('23') && code !== '23505') || code === '54000'
}

/** A refused item's reason: the database's message, first line, made safe to store and show. */
export function refusedByDatabase(error: Error): string {
  return `could not be stored: ${toSafeText(error.message.split('\n')[0] ?? '', 300)}`
}
