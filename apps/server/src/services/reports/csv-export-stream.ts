import { Readable } from 'node:stream'
import { csvLine } from '@anomalyze/shared/node'
import type { CursorSession } from './stream-query-rows.ts'

/**
 * CSV bytes for a cursor's rows, one chunk per page: a header line, then each row's
 * columns in order. Readable.from pulls the next page only when the consumer (the
 * object store's upload) asks for more, so a slow store slows the reads instead of
 * filling memory.
 */
export interface CsvProgress {
  rows: number
  total: number
}

/**
 * A cell as a spreadsheet will read it as data, never as a formula (CSV injection,
 * OWASP's advice): a value starting with `=`, `+`, `-`, `@`, a tab or a carriage
 * return gets a leading single quote. Plain numbers (a negative amount) are left as
 * they are: a spreadsheet reads "-12.5" as a number, not a formula. Every report CSV
 * goes through this; merchant ids, notes, names and explanations come from outside.
 */
export function spreadsheetSafe(value: string): string {
  if (value === '') return value
  const first = value.charCodeAt(0)
  // = + - @ \t \r
  if (first !== 61 && first !== 43 && first !== 45 && first !== 64 && first !== 9 && first !== 13) return value
  if (first === 45 && PLAIN_NUMBER.test(value)) return value
  return `'${value}`
}

const PLAIN_NUMBER = /^-(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/

export function csvExportStream<Row extends Record<string, string>>(
  session: CursorSession<Row>,
  columns: readonly (keyof Row & string)[],
  onPage: (progress: CsvProgress) => Promise<void>,
): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    yield Buffer.from(csvLine(columns))
    let rows = 0
    for await (const page of session.pages()) {
      let text = ''
      const values: string[] = new Array<string>(columns.length)
      for (const row of page) {
        for (let i = 0; i < columns.length; i += 1) values[i] = spreadsheetSafe(row[columns[i] as string] ?? '')
        text += csvLine(values)
      }
      rows += page.length
      yield Buffer.from(text)
      await onPage({ rows, total: session.total })
    }
  }
  return Readable.from(chunks(), { objectMode: false })
}
