import type { Readable } from 'node:stream'
import { resolveColumnMapping, type MappableField, type ResolvedMapping } from '../../detection/column-mapping.ts'
import { createRowConverter, type ConvertedRow, type ConvertOptions } from '../../detection/row-conversion.ts'
import { csvRecords, type CsvRecord } from './csv-records.ts'

const DECODE_PIECE = 64 << 10

/** The file as a whole cannot be read (empty, not CSV, no usable columns). */
export class CsvInputError extends Error {
  override readonly name = 'CsvInputError'
}

export interface CsvReadOptions extends ConvertOptions {
  overrides?: ReadonlyMap<string, MappableField>
  /** Called once with the header and the mapping, before the first row. */
  onHeader?: (resolved: ResolvedMapping) => void
  /**
   * Rows on lines up to this one are passed over unconverted and not yielded: a
   * resumed batch job reads its file from the start, and converting the rows it had
   * already committed cost 70% of that re-read.
   */
  skipThroughLine?: number
}

export interface CsvRow {
  /** 1-based line number in the file (the header is line 1). */
  line: number
  /** Last line of a record that runs over several lines (see CsvRecord.lastLine). */
  lastLine?: number
  values: string[]
  /** The record's original text (see CsvRecord.raw). */
  raw: string
  result: ConvertedRow
}

/**
 * Streams transactions out of a CSV of any size in batches: memory stays flat. Row
 * problems come back as results (a malformed record is one bad row, not the end of
 * the import); problems with the file itself throw CsvInputError.
 */
export async function* readTransactionBatches(input: Readable, options: CsvReadOptions = {}): AsyncGenerator<CsvRow[]> {
  let convert: ((values: readonly string[], line: number) => ConvertedRow) | undefined
  let checked = false
  const skipThroughLine = options.skipThroughLine ?? 0
  const guarded = async function* (): AsyncGenerator<Buffer | string> {
    for await (const chunk of input as AsyncIterable<Buffer | string>) {
      // A binary file (a spreadsheet, an archive, UTF-16 text) says so once, instead of
      // a thousand row errors; a stray NUL in one cell of a text file is that row's error.
      if (!checked && typeof chunk !== 'string') {
        const problem = binaryFileProblem(chunk.subarray(0, 4096))
        if (problem !== null) throw new CsvInputError(problem)
      }
      checked = true
      if (typeof chunk === 'string' || chunk.length <= DECODE_PIECE) {
        yield chunk
        continue
      }
      // Large reads (fewer waits on the disk) are decoded in pieces: a string above
      // 128 KB is allocated in V8's old generation, and a file's worth of those made
      // the heap grow. Views, not copies; the decoder joins characters split between them.
      for (let at = 0; at < chunk.length; at += DECODE_PIECE) yield chunk.subarray(at, at + DECODE_PIECE)
    }
  }
  try {
    const spanningProblem = mappedColumnsWithoutBreaks(options.overrides)
    for await (const batch of csvRecords(guarded(), { recoverOpenQuotes: true, spanningProblem })) {
      const rows: CsvRow[] = []
      for (const record of batch) {
        if (!convert) {
          if (record.error) throw new CsvInputError(`not a CSV file: the header row is unreadable (${record.error})`)
          const resolved = resolveColumnMapping(record.values, options.overrides)
          if (resolved.errors.length > 0) {
            throw new CsvInputError(`cannot use this file's columns: ${resolved.errors.join('; ')} (header: ${record.values.join(',').slice(0, 200)})`)
          }
          options.onHeader?.(resolved)
          convert = createRowConverter(resolved.mapping, record.values.length, options)
          continue
        }
        if (record.line <= skipThroughLine) continue
        rows.push(convertRecord(record, convert))
      }
      if (rows.length > 0) yield rows
    }
  } catch (error) {
    if (error instanceof CsvInputError) throw error
    const code = (error as NodeJS.ErrnoException).code
    throw new CsvInputError(`cannot read the file: ${code ?? (error instanceof Error ? error.message.split('\n')[0] : String(error))}`)
  }
  if (!convert) throw new CsvInputError('the file is empty (no header row)')
}

/**
 * For csvRecords: a line break is plausible in a text column (ids and names are taken
 * as they are, line breaks and all), never in a date, an amount or a code: a quoted
 * value of such a column that runs over lines is a quote left open, whose lines are
 * read as rows of their own.
 */
export function mappedColumnsWithoutBreaks(
  overrides: ReadonlyMap<string, MappableField> | undefined,
): (values: readonly string[], header: readonly string[]) => string | null {
  let mapped: { index: number; field: string }[] | undefined
  return (values, header) => {
    mapped ??= Object.entries(resolveColumnMapping([...header], overrides).mapping).flatMap(([field, index]) => (index === undefined ? [] : [{ index, field }]))
    return lineBreakIn(values, header, mapped)
  }
}

/** Fields whose values never hold a line break. */
const ONE_LINE_FIELDS: ReadonlySet<string> = new Set<MappableField>([
  'timestamp',
  'timestampHours',
  'amount',
  'currency',
  'country',
  'latitude',
  'longitude',
  'label',
  'transactionType',
  'balanceBefore',
  'balanceAfter',
  'counterpartyBalanceBefore',
  'counterpartyBalanceAfter',
])

/** "its TX_AMOUNT (amount) value would hold a line break", or null (see mappedColumnsWithoutBreaks). */
export function lineBreakIn(values: readonly string[], header: readonly string[], mapped: readonly { index: number; field: string }[]): string | null {
  for (const { index, field } of mapped) {
    if (ONE_LINE_FIELDS.has(field) && values[index]?.includes('\n') === true)
      return `its ${header[index] ?? `column ${index + 1}`} (${field}) value would hold a line break`
  }
  return null
}

/**
 * A record as a row: its parse error, or what the converter makes of its values. A
 * bad record that runs over several lines says which, so no line goes unmentioned.
 */
export function convertRecord(record: CsvRecord, convert: (values: readonly string[], line: number) => ConvertedRow): CsvRow {
  let result: ConvertedRow =
    record.error !== undefined ? { ok: false, errors: [{ line: record.line, field: 'row', reason: record.error }] } : convert(record.values, record.line)
  if (!result.ok && record.lastLine !== undefined) {
    const span = ` (this record runs over lines ${record.line}-${record.lastLine}: a quoted field in it holds line breaks)`
    result = { ok: false, errors: result.errors.map((e, i) => (i === 0 ? { ...e, reason: `${e.reason}${span}` } : e)) }
  }
  return {
    line: record.line,
    ...(record.lastLine !== undefined ? { lastLine: record.lastLine } : {}),
    values: record.values,
    raw: record.raw,
    result,
  }
}

/** Row-at-a-time view of readTransactionBatches. */
export async function* readTransactionsCsv(input: Readable, options: CsvReadOptions = {}): AsyncGenerator<CsvRow> {
  for await (const batch of readTransactionBatches(input, options)) yield* batch
}

/**
 * Why the start of a file says it is not UTF-8 text, or null: a UTF-16 byte-order mark
 * or NULs between most characters (UTF-16), or more than a few NUL bytes (an archive,
 * a spreadsheet, an image). A NUL or two in a text file is left to the rows they are in.
 */
export function binaryFileProblem(head: Uint8Array): string | null {
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    return 'not a CSV file this product reads: it is UTF-16 text; save it as CSV UTF-8'
  }
  let nuls = 0
  const nulsAt = [0, 0] // at even and at odd offsets: UTF-16 text puts one beside every ASCII character
  head.forEach((byte, i) => {
    if (byte !== 0) return
    nuls += 1
    nulsAt[i % 2] = (nulsAt[i % 2] as number) + 1
  })
  if (head.length >= 16 && Math.max(...nulsAt) * 2 >= head.length * 0.9) {
    return 'not a CSV file this product reads: it looks like UTF-16 text; save it as CSV UTF-8'
  }
  if (nuls > Math.max(2, head.length / 100)) return 'not a CSV file: it contains binary data'
  return null
}
