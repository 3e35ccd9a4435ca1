import type { Readable } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'

/** One CSV record, or a record that could not be parsed. */
export interface CsvRecord {
  /** Line where the record starts (1-based). */
  line: number
  /** Last line of a record whose quoted field holds line breaks (absent for a one-line record). */
  lastLine?: number
  values: string[]
  /** The record's text as read (without the line break): lets writers echo it. */
  raw: string
  /** Set when the record is malformed (values is then empty). */
  error?: string
}

/**
 * A quoted field may hold line breaks, but one whose text runs past this many
 * characters without its closing quote is taken for a quote left open by mistake.
 */
export const MAX_QUOTED_RECORD_CHARS = 64 << 10

export interface CsvRecordsOptions {
  /**
   * Read a file from outside as described on csvRecords: a quote left open is one bad
   * record and the lines after it are read again. Off, a quoted field runs on until
   * it closes (RFC 4180), for files written by this product (e.g. the scored-rows
   * file, whose header is not as wide as its rows); only a record that closes
   * malformed, or never, is given back line by line.
   */
  recoverOpenQuotes?: boolean
  /**
   * With recoverOpenQuotes:
   * Why a record whose quoted field holds line breaks is not plausible for this file
   * (e.g. the break is in a column that never holds one: a date, an amount),
   * or null to keep it. A refused record is read as a quote left open.
   */
  spanningProblem?: (values: readonly string[], header: readonly string[]) => string | null
}

/**
 * RFC 4180 records from a byte stream, in batches (one per chunk). Hand-written
 * because it is the hot loop of scoring: lines without quotes take a plain split,
 * which is several times faster than a general parser; quoted fields (with commas,
 * doubled quotes or newlines) take the careful path.
 *
 * Every physical line is accounted for: it is a record, part of a record that spans
 * lines, or a blank line. With `recoverOpenQuotes` (files from outside), a quote left
 * open does not swallow the rows after it (what spreadsheet tools and strict parsers
 * do, up to the end of the file): a quoted field may run on over the next lines only
 * while that reading stays plausible. The opening line is reported as a bad record
 * naming the lines the quote would have swallowed, and reading resumes at the line
 * after it, when
 * - a line it would swallow is a complete row of the header's width on its own;
 * - it closes into a record that is malformed, of another width than the header,
 *   whose field with line breaks holds as many commas as a row (two stray quotes
 *   that would hide the rows between them in one field), or that the caller's
 *   `spanningProblem` refuses (a line break in a date or an amount);
 * - it runs past MAX_QUOTED_RECORD_CHARS, or to the end of the file.
 * The first record is the header; its width is what the checks above compare to.
 */
export async function* csvRecords(
  input: Iterable<Buffer | string> | AsyncIterable<Buffer | string> | Readable,
  options: CsvRecordsOptions = {},
): AsyncGenerator<CsvRecord[]> {
  const recover = options.recoverOpenQuotes === true
  const decoder = new StringDecoder('utf8')
  let carry = '' // incomplete line from the previous chunk
  let line = 0
  let first = true
  /** Columns of the header (the first record), once read. */
  let width: number | undefined
  let header: readonly string[] = []
  const out: CsvRecord[] = []
  let records = 0
  const push = (record: CsvRecord): void => {
    if (records === 0 && record.error === undefined) {
      width = record.values.length
      header = record.values
    }
    records += 1
    out.push(record)
  }

  /** A quoted field still open: the line it opened on and the lines read into it since. */
  let open: { line: number; field: number; opening: string; text: string; quotes: number; rest: { text: string; line: number }[] } | null = null
  // Lines an abandoned quote gives back, to be read again in order.
  const queue: { text: string; line: number }[] = []

  /** The open quote was a mistake: its line is a bad record, the lines after it are read again. */
  const abandon = (why: string): void => {
    const o = open as NonNullable<typeof open>
    open = null
    const from = o.rest[0]?.line
    const to = o.rest[o.rest.length - 1]?.line
    const swallowed =
      from === undefined || to === undefined
        ? ''
        : from === to
          ? `: it would swallow line ${from}, which is read as a row of its own`
          : `: it would swallow lines ${from}-${to}, which are read as rows of their own`
    push({ line: o.line, values: [], raw: o.opening, error: `a quote opened in field ${o.field} is never closed (${why})${swallowed}` })
    // Read again before anything still queued (a long run of lines: no spread).
    const again = o.rest.concat(queue)
    queue.length = 0
    for (const r of again) queue.push(r)
  }

  const take = (l: string, n: number): void => {
    if (open !== null) {
      open.text += `\n${l}`
      open.quotes += quoteCount(l)
      open.rest.push({ text: l, line: n })
      if (open.quotes % 2 === 0) {
        const parsed = parseQuotedValues(open.text, open.line)
        const what =
          parsed.error ??
          (width === undefined || !recover
            ? undefined
            : parsed.values.length !== width
              ? `${parsed.values.length} columns where the header has ${width}`
              : holdsRows(parsed.values, width)
                ? `its text would hold line breaks and ${width - 1} or more commas, as whole rows do`
                : (options.spanningProblem?.(parsed.values, header) ?? undefined))
        if (what === undefined) {
          push({ line: open.line, lastLine: n, values: parsed.values, raw: open.text })
          open = null
          return
        }
        abandon(`a quote on line ${n} would close it into a malformed record: ${what}`)
        return
      }
      if (!recover) return
      if (width !== undefined && isCompleteRow(l, width)) {
        abandon(`line ${n} is a complete row`)
        return
      }
      if (open.text.length > MAX_QUOTED_RECORD_CHARS) abandon(`it runs on past ${MAX_QUOTED_RECORD_CHARS >> 10} KiB`)
      return
    }
    if (l === '') return
    if (!l.includes('"')) {
      push({ line: n, values: l.split(','), raw: l })
      return
    }
    const quotes = quoteCount(l)
    if (quotes % 2 === 1) {
      const parsed = parseQuotedValues(l, n)
      // Only a quoted field left open continues on the next line; a stray quote in
      // an unquoted field is this record's error and must not swallow the next one.
      if (parsed.error !== UNTERMINATED) {
        push({ line: n, values: [], raw: l, error: parsed.error ?? 'unbalanced quotes' })
        return
      }
      open = { line: n, field: parsed.values.length + 1, opening: l, text: l, quotes, rest: [] }
      return
    }
    push(parseQuoted(l, n))
  }

  const drain = (): void => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) take(next.text, next.line)
  }
  const feed = (text: string): void => {
    line += 1
    const l = text.endsWith('\r') ? text.slice(0, -1) : text
    // The hot path, as before quotes needed care: a plain line after the header.
    if (open === null && records > 0 && l !== '' && !l.includes('"')) {
      out.push({ line, values: l.split(','), raw: l })
      return
    }
    take(l, line)
    if (queue.length > 0) drain()
  }

  for await (const chunk of input) {
    let text = carry + (typeof chunk === 'string' ? chunk : decoder.write(chunk))
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
      first = false
    }
    let start = 0
    for (let nl = text.indexOf('\n', start); nl >= 0; nl = text.indexOf('\n', start)) {
      feed(text.slice(start, nl))
      start = nl + 1
    }
    carry = text.slice(start)
    if (out.length > 0) yield out.splice(0, out.length)
  }
  const rest = carry + decoder.end()
  if (rest !== '') feed(rest)
  while (open !== null) {
    abandon('the file ends first')
    drain()
  }
  if (out.length > 0) yield out
}

const UNTERMINATED = 'unterminated quoted field'

/** A field with line breaks that holds as many commas as a row: lines of rows, swallowed. */
function holdsRows(values: readonly string[], width: number): boolean {
  for (const v of values) {
    if (!v.includes('\n')) continue
    let commas = 0
    for (let i = v.indexOf(','); i >= 0; i = v.indexOf(',', i + 1)) commas += 1
    if (commas >= width - 1) return true
  }
  return false
}

/** A line that is, on its own, a well-formed record of `width` columns. */
function isCompleteRow(l: string, width: number): boolean {
  if (!l.includes('"')) return l.split(',').length === width
  if (quoteCount(l) % 2 === 1) return false
  const parsed = parseQuotedValues(l, 0)
  return parsed.error === undefined && parsed.values.length === width
}

function quoteCount(s: string): number {
  let n = 0
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) n += 1
  return n
}

function parseQuoted(text: string, line: number): CsvRecord {
  const parsed = parseQuotedValues(text, line)
  return parsed.error === undefined ? { ...parsed, raw: text } : { line, values: [], raw: text, error: parsed.error }
}

/** The record's values; on an unterminated quote, `values` holds the fields before it. */
function parseQuotedValues(text: string, line: number): Omit<CsvRecord, 'raw'> {
  const values: string[] = []
  let i = 0
  for (;;) {
    if (text[i] === '"') {
      let value = ''
      i += 1
      for (;;) {
        const q = text.indexOf('"', i)
        if (q < 0) return { line, values, error: UNTERMINATED }
        value += text.slice(i, q)
        if (text[q + 1] === '"') {
          value += '"'
          i = q + 2
        } else {
          i = q + 1
          break
        }
      }
      values.push(value)
      if (i === text.length) return { line, values }
      if (text[i] !== ',') return { line, values: [], error: `unexpected character after a closing quote in field ${values.length}` }
      i += 1
    } else {
      const comma = text.indexOf(',', i)
      const value = comma < 0 ? text.slice(i) : text.slice(i, comma)
      if (value.includes('"')) return { line, values: [], error: `quote inside an unquoted field ${values.length + 1}` }
      values.push(value)
      if (comma < 0) return { line, values }
      i = comma + 1
    }
  }
}
