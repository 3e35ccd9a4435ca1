import { once } from 'node:events'
import type { Writable } from 'node:stream'

/** CSV field quoting per RFC 4180, only when needed. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value
}

export function csvLine(values: readonly string[]): string {
  let line = ''
  for (let i = 0; i < values.length; i += 1) line += (i === 0 ? '' : ',') + csvField(values[i] as string)
  return `${line}\n`
}

/** Writes text and waits when the stream's buffer is full, so memory stays flat. */
export async function writeWithBackpressure(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain')
}
