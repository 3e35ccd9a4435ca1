import { once } from 'node:events'
import type { Writable } from 'node:stream'

/**
 * A CSV field for a file people open: spreadsheet-safe (see spreadsheetSafe), then
 * quoted per RFC 4180 when needed. Every CSV the product hands to a person goes through
 * this (reports, batch error files, scored exports, the CLI's output): merchant ids,
 * notes and explanations come from outside and must never run as formulas.
 */
export function csvField(value: string): string {
  return rawCsvField(spreadsheetSafe(value))
}

export function csvLine(values: readonly string[]): string {
  let line = ''
  for (let i = 0; i < values.length; i += 1) line += (i === 0 ? '' : ',') + csvField(values[i] as string)
  return `${line}\n`
}

/**
 * RFC 4180 quoting only, for files only the product reads back (the desktop's
 * scored-rows file), where a value must come back exactly as it went in.
 */
export function rawCsvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value
}

/**
 * A cell as a spreadsheet will read it as data, never as a formula (CSV injection,
 * OWASP's advice): a value starting with `=`, `+`, `-`, `@`, a tab or a carriage
 * return gets a leading single quote. Plain numbers (a negative amount) are left as
 * they are: a spreadsheet reads "-12.5" as a number, not a formula.
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

/** Writes text and waits when the stream's buffer is full, so memory stays flat. */
export async function writeWithBackpressure(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain')
}
