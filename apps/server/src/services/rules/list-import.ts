import { textProblem, toSafeText, type ListField } from '@anomalyze/shared'
import { csvRecords } from '@anomalyze/shared/node'

/**
 * The rules a list value follows, and a list's CSV import read into good entries and
 * bad lines. Pure: nothing here touches the database (lists.ts stores the result).
 */

export const MAX_LIST_VALUE_LENGTH = 256
export const MAX_LIST_REASON_LENGTH = 500
/** A file with more bad lines is reported up to this many, then one line saying how many more. */
export const MAX_REPORTED_IMPORT_ERRORS = 1_000

/** Values a field's transactions can hold: anything else could never match, so it is a mistake. */
const FIELD_FORMATS: Partial<Record<ListField, { pattern: RegExp; what: string }>> = {
  country: { pattern: /^[A-Z]{2}$/, what: 'a country is 2 capital letters A-Z (ISO 3166, e.g. RU)' },
  card_bin: { pattern: /^[0-9]{6}$/, what: 'a card_bin is 6 digits (the first 6 characters of the account id, e.g. 412345)' },
}

/** Why `value` (already trimmed) cannot be listed under `field`, or null when it can. */
export function listValueProblem(field: ListField, value: string): string | null {
  if (value.length === 0) return 'the value is empty'
  if (value.length > MAX_LIST_VALUE_LENGTH) return `the value is ${value.length} characters long; at most ${MAX_LIST_VALUE_LENGTH}`
  const text = textProblem(value)
  if (text !== null) return `the value ${text}`
  const format = FIELD_FORMATS[field]
  if (format !== undefined && !format.pattern.test(value)) return `"${toSafeText(value, 40)}" is not a ${field}: ${format.what}`
  return null
}

/** Why `reason` (already trimmed) cannot be stored, or null when it can. */
export function listReasonProblem(reason: string): string | null {
  if (reason.length > MAX_LIST_REASON_LENGTH) return `the reason is ${reason.length} characters long; at most ${MAX_LIST_REASON_LENGTH}`
  const text = textProblem(reason)
  return text === null ? null : `the reason ${text}`
}

export interface ImportEntry {
  line: number
  value: string
  reason: string
}

export interface ImportLineError {
  line: number
  message: string
}

export interface ParsedListCsv {
  entries: ImportEntry[]
  errors: ImportLineError[]
}

const isHeader = (values: readonly string[]): boolean =>
  (values.length === 1 || values.length === 2) && values[0]!.trim().toLowerCase() === 'value' && (values[1] ?? 'reason').trim().toLowerCase() === 'reason'

/**
 * Reads `value[,reason]` lines (RFC 4180 quoting through the product's CSV reader; an
 * optional first line `value,reason` is a header). Blank lines are skipped. Every
 * other line is a good entry or a bad line with its number and what is wrong; a quote
 * left open is one bad line, not the rest of the file swallowed.
 */
export async function parseListCsv(csv: string, field: ListField): Promise<ParsedListCsv> {
  const entries: ImportEntry[] = []
  const errors: ImportLineError[] = []
  let badLines = 0
  const bad = (line: number, message: string): void => {
    badLines += 1
    if (errors.length < MAX_REPORTED_IMPORT_ERRORS) errors.push({ line, message })
  }
  let first = true
  for await (const batch of csvRecords([csv], { recoverOpenQuotes: true })) {
    for (const record of batch) {
      const values = record.values.map((value) => value.trim())
      // A line of spaces (or of empty cells) is blank, like an empty one.
      if (record.error === undefined && values.every((value) => value === '')) continue
      const firstRecord = first
      first = false
      if (record.error !== undefined) {
        bad(record.line, `this line is not valid CSV: ${record.error}`)
        continue
      }
      if (firstRecord && isHeader(values)) continue
      if (values.length > 2) {
        bad(record.line, `this line has ${values.length} columns; a line is value[,reason] (quote a reason that holds a comma)`)
        continue
      }
      const value = values[0]!
      const reason = values[1] ?? ''
      const problem = listValueProblem(field, value) ?? listReasonProblem(reason)
      if (problem !== null) bad(record.line, problem)
      else entries.push({ line: record.line, value, reason })
    }
  }
  const unreported = badLines - errors.length
  if (unreported > 0) {
    const last = errors[errors.length - 1]!
    errors.push({ line: last.line, message: `and ${unreported} more bad lines after line ${last.line}, not listed here` })
  }
  return { entries, errors }
}
