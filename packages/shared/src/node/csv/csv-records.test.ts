import { describe, expect, it } from 'vitest'
import { csvRecords, type CsvRecord } from './csv-records.ts'

async function records(chunks: string[]): Promise<CsvRecord[]> {
  const out: CsvRecord[] = []
  for await (const batch of csvRecords(chunks.map((c) => Buffer.from(c)))) out.push(...batch)
  return out
}

describe('csvRecords', () => {
  it('splits plain lines across chunk boundaries, skipping blank lines and CRs', async () => {
    expect(await records(['\ufeffa,b\r\n1,', '2\n\n3,4'])).toEqual([
      { line: 1, values: ['a', 'b'], raw: 'a,b' },
      { line: 2, values: ['1', '2'], raw: '1,2' },
      { line: 4, values: ['3', '4'], raw: '3,4' },
    ])
  })

  it('handles quoted commas, doubled quotes and newlines inside quotes', async () => {
    expect(await records(['x,"a, ""b""",y\n"multi\nline",2\n', 'z,""\n'])).toEqual([
      { line: 1, values: ['x', 'a, "b"', 'y'], raw: 'x,"a, ""b""",y' },
      { line: 2, values: ['multi\nline', '2'], raw: '"multi\nline",2' },
      { line: 4, values: ['z', ''], raw: 'z,""' },
    ])
  })

  it('reports malformed records with their line and carries on', async () => {
    const out = await records(['1,ab"c",2\n', '3,4\n"ok"x,5\n"open,6\n'])
    expect(out.map((r) => [r.line, r.error ?? r.values.join('|')])).toEqual([
      [1, 'quote inside an unquoted field 2'],
      [2, '3|4'],
      [3, 'unexpected character after a closing quote in field 1'],
      [4, 'unterminated quoted field at end of file'],
    ])
  })

  it('decodes multi-byte characters split between chunks', async () => {
    const bytes = Buffer.from('café,1\n')
    const out: CsvRecord[] = []
    for await (const batch of csvRecords([bytes.subarray(0, 4), bytes.subarray(4)])) out.push(...batch)
    expect(out[0]?.values).toEqual(['café', '1'])
  })
})
