import { Readable } from 'node:stream'
import { csvLine } from '@anomalyze/shared/node'
import type { CursorSession } from './stream-query-rows.ts'

/**
 * CSV bytes for a cursor's rows, one chunk per page: a header line, then each row's
 * columns in order, every cell spreadsheet-safe (csvLine). Readable.from pulls the next page only when the consumer (the
 * object store's upload) asks for more, so a slow store slows the reads instead of
 * filling memory.
 */
export interface CsvProgress {
  rows: number
  total: number
}

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
        for (let i = 0; i < columns.length; i += 1) values[i] = row[columns[i] as string] ?? ''
        text += csvLine(values)
      }
      rows += page.length
      yield Buffer.from(text)
      await onPage({ rows, total: session.total })
    }
  }
  return Readable.from(chunks(), { objectMode: false })
}
