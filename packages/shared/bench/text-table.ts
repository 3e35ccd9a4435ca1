/**
 * A Markdown table with padded columns, so it reads aligned in a terminal and pastes
 * into docs as is. Columns after the first are right-aligned (figures).
 */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((h, c) => Math.max(h.length, 3, ...rows.map((r) => (r[c] ?? '').length)))
  const cell = (text: string, c: number): string => (c === 0 ? text.padEnd(widths[c] as number) : text.padStart(widths[c] as number))
  const line = (cells: readonly string[]): string => `| ${headers.map((_, c) => cell(cells[c] ?? '', c)).join(' | ')} |`
  const rule = `|${widths.map((w, c) => (c === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`
  return [line(headers), rule, ...rows.map(line)].join('\n')
}

export const fixed3 = (x: number): string => (Number.isNaN(x) ? 'n/a' : x.toFixed(3))
