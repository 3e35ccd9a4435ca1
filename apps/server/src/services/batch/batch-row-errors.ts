import type { Readable } from 'node:stream'
import { ZTransactionInput } from '@anomalyze/shared'
import { type ConvertedRow, type MappableField } from '@anomalyze/shared/engine'
import { csvLine, readTransactionBatches } from '@anomalyze/shared/node'

export interface BatchRowError {
  /** Line in the uploaded file (the header is line 1). */
  line: number
  field: string
  message: string
}

/** First rejected rows kept on the BatchJob row itself; the rest are in the errors file. */
export const FIRST_ROW_ERRORS = 100

/**
 * The errors file (CSV: line, field, message) of a finished job, produced by reading
 * the file once more with the same mapping and the same checks as the worker. Being
 * derived from the file, it is complete however many times the job was interrupted
 * and resumed, with no partial lists to stitch together.
 */
export async function* rowErrorsCsv(input: Readable, overrides: ReadonlyMap<string, MappableField>): AsyncGenerator<string> {
  yield csvLine(['line', 'field', 'message'])
  for await (const batch of readTransactionBatches(input, { overrides })) {
    let text = ''
    for (const row of batch) {
      for (const e of rowErrorsOf(row.line, row.result)) text += csvLine([String(e.line), e.field, e.message])
    }
    if (text !== '') yield text
  }
}

/** The row's problems: the CSV converter's, then the API schema's (what ingestion applies). */
export function rowErrorsOf(line: number, result: ConvertedRow): BatchRowError[] {
  if (!result.ok) return result.errors.map((e) => ({ line, field: e.field, message: e.reason }))
  const parsed = ZTransactionInput.safeParse(result.transaction)
  if (parsed.success) return []
  return parsed.error.issues.map((issue) => ({ line, field: issue.path.join('.') || 'row', message: issue.message }))
}
