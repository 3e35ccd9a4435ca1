import type { Readable } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'

/** One CSV record, or a record that could not be parsed. */
export interface CsvRecord {
  /** Line where the record starts (1-based). */
  line: number
  values: string[]
  /** The record's text as read (without the line break): lets writers echo it. */
  raw: string
  /** Set when the record is malformed (values is then empty). */
  error?: string
}

/**
 * RFC 4180 records from a byte stream, in batches (one per chunk). Hand-written
 * because it is the hot loop of scoring: lines without quotes take a plain split,
 * which is several times faster than a general parser; quoted fields (with commas,
 * doubled quotes or newlines) take the careful path.
 */
export async function* csvRecords(input: Iterable<Buffer | string> | AsyncIterable<Buffer | string> | Readable): AsyncGenerator<CsvRecord[]> {
  const decoder = new StringDecoder('utf8')
  let carry = '' // incomplete line from the previous chunk
  let record = '' // a quoted record spanning lines, still open
  let recordLine = 0
  let line = 0
  let first = true
  const out: CsvRecord[] = []

  const take = (text: string): void => {
    line += 1
    const l = text.endsWith('\r') ? text.slice(0, -1) : text
    if (record !== '') {
      record += `\n${l}`
      if (quoteCount(record) % 2 === 0) {
        out.push(parseQuoted(record, recordLine))
        record = ''
      }
      return
    }
    if (l === '') return
    if (!l.includes('"')) {
      out.push({ line, values: l.split(','), raw: l })
      return
    }
    if (quoteCount(l) % 2 === 1) {
      const parsed = parseQuoted(l, line)
      // Only a quoted field left open continues on the next line; a stray quote in
      // an unquoted field is this record's error and must not swallow the next one.
      if (parsed.error !== 'unterminated quoted field') {
        out.push(parsed)
        return
      }
      record = l
      recordLine = line
      return
    }
    out.push(parseQuoted(l, line))
  }

  for await (const chunk of input) {
    let text = carry + (typeof chunk === 'string' ? chunk : decoder.write(chunk))
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
      first = false
    }
    let start = 0
    for (let nl = text.indexOf('\n', start); nl >= 0; nl = text.indexOf('\n', start)) {
      take(text.slice(start, nl))
      start = nl + 1
    }
    carry = text.slice(start)
    if (out.length > 0) yield out.splice(0, out.length)
  }
  const rest = carry + decoder.end()
  if (rest !== '') take(rest)
  if (record !== '') out.push({ line: recordLine, values: [], raw: record, error: 'unterminated quoted field at end of file' })
  if (out.length > 0) yield out
}

function quoteCount(s: string): number {
  let n = 0
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) n += 1
  return n
}

function parseQuoted(text: string, line: number): CsvRecord {
  const parsed = parseQuotedValues(text, line)
  return { ...parsed, raw: text }
}

function parseQuotedValues(text: string, line: number): Omit<CsvRecord, 'raw'> {
  const values: string[] = []
  let i = 0
  for (;;) {
    if (text[i] === '"') {
      let value = ''
      i += 1
      for (;;) {
        const q = text.indexOf('"', i)
        if (q < 0) return { line, values: [], error: 'unterminated quoted field' }
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
