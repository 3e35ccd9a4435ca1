import { describe, expect, it } from 'vitest'
import { csvRecords, type CsvRecord } from './csv-records.ts'

async function records(chunks: string[]): Promise<CsvRecord[]> {
  const out: CsvRecord[] = []
  for await (const batch of csvRecords(
    chunks.map((c) => Buffer.from(c)),
    { recoverOpenQuotes: true },
  ))
    out.push(...batch)
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
    expect(await records(['x,"a, ""b""",y\n"multi\nline",2,3\n', 'z,"",\n'])).toEqual([
      { line: 1, values: ['x', 'a, "b"', 'y'], raw: 'x,"a, ""b""",y' },
      { line: 2, lastLine: 3, values: ['multi\nline', '2', '3'], raw: '"multi\nline",2,3' },
      { line: 4, values: ['z', '', ''], raw: 'z,"",' },
    ])
  })

  it('reports malformed records with their line and carries on', async () => {
    const out = await records(['1,ab"c",2\n', '3,4\n"ok"x,5\n"open,6\n'])
    expect(out.map((r) => [r.line, r.error ?? r.values.join('|')])).toEqual([
      [1, 'quote inside an unquoted field 2'],
      [2, '3|4'],
      [3, 'unexpected character after a closing quote in field 1'],
      [4, 'a quote opened in field 1 is never closed (the file ends first)'],
    ])
  })

  it('decodes multi-byte characters split between chunks', async () => {
    const bytes = Buffer.from('café,1\n')
    const out: CsvRecord[] = []
    for await (const batch of csvRecords([bytes.subarray(0, 4), bytes.subarray(4)])) out.push(...batch)
    expect(out[0]?.values).toEqual(['café', '1'])
  })
})

describe('csvRecords and a quote left open', () => {
  const header = 'id,when,account,merchant,amount'
  const row = (i: number): string => `${i},2018-04-01 00:00:31,596,3156,${i}.5`
  /** 40 data rows (lines 2-41), with some lines replaced. */
  const file = (replace: Record<number, string> = {}): string =>
    `${[header, ...Array.from({ length: 40 }, (_, i) => replace[i + 2] ?? row(i + 1))].join('\n')}\n`
  const errors = (out: CsvRecord[]): [number, string][] => out.filter((r) => r.error !== undefined).map((r) => [r.line, r.error as string])

  it('takes a quote opened in a row followed by complete rows for a typo: one bad row, every other row read', async () => {
    const out = await records([file({ 13: '12,2018-04-01 00:00:31,"596,3156,12.5' })])
    expect(out).toHaveLength(41)
    expect(errors(out)).toEqual([
      [13, 'a quote opened in field 3 is never closed (line 14 is a complete row): it would swallow line 14, which is read as a row of its own'],
    ])
    expect(out.slice(13).map((r) => r.values[0])).toEqual(Array.from({ length: 28 }, (_, i) => String(i + 13)))
  })

  it('does not let two stray quotes hide the rows between them in one field', async () => {
    // Closed on line 16 into five columns, but field 3 would be lines 13-16 of rows.
    const out = await records([file({ 13: '12,2018-04-01 00:00:31,"596,3156,12.5', 14: '13,x', 15: '', 16: '15,2018-04-01 00:00:31,596",3156,15.5' })])
    expect(errors(out)).toEqual([
      [
        13,
        'a quote opened in field 3 is never closed (a quote on line 16 would close it into a malformed record: its text would hold line breaks and 4 or more commas, as whole rows do): it would swallow lines 14-16, which are read as rows of their own',
      ],
      [16, 'quote inside an unquoted field 3'],
    ])
    expect(out.map((r) => r.line)).toEqual([1, ...Array.from({ length: 40 }, (_, i) => i + 2).filter((l) => l !== 15)])
  })

  it('stops a quote that would swallow a complete row, names the lines and reads them again', async () => {
    const out = await records([file({ 13: '12,"2018-04-01 00:00:31,596,12.5' })])
    expect(out).toHaveLength(41)
    expect(errors(out)).toEqual([
      [13, 'a quote opened in field 2 is never closed (line 14 is a complete row): it would swallow line 14, which is read as a row of its own'],
    ])
    expect(out.filter((r) => r.error === undefined).map((r) => r.line)).toEqual([1, ...Array.from({ length: 39 }, (_, i) => (i < 11 ? i + 2 : i + 3))])
  })

  it('gives back the lines read up to the end of the file, and up to 64 KiB, as rows of their own', async () => {
    const short = (i: number): string => `${i},x,y`
    const eof = await records([`${header}\n1,"a,b,c\n${[2, 3, 4].map(short).join('\n')}\n`])
    expect(errors(eof)).toEqual([
      [2, 'a quote opened in field 2 is never closed (the file ends first): it would swallow lines 3-5, which are read as rows of their own'],
    ])
    expect(eof.slice(2).map((r) => [r.line, r.values.length])).toEqual([
      [3, 3],
      [4, 3],
      [5, 3],
    ])

    const long = 'z'.repeat(70_000)
    const big = await records([`${header}\n1,"a,b,c\n${long}\n${row(2)}\n`])
    expect(errors(big)).toEqual([
      [2, 'a quote opened in field 2 is never closed (it runs on past 64 KiB): it would swallow line 3, which is read as a row of its own'],
    ])
    expect(big.slice(2).map((r) => [r.line, r.values.length])).toEqual([
      [3, 1],
      [4, 5],
    ])
  })

  it('refuses a close that makes a malformed record or a row of the wrong width', async () => {
    const malformed = await records([`${header}\n1,"a,b\nx"y,z\n${row(3)}\n`])
    expect(errors(malformed)[0]).toEqual([
      2,
      'a quote opened in field 2 is never closed (a quote on line 3 would close it into a malformed record: unexpected character after a closing quote in field 2): it would swallow line 3, which is read as a row of its own',
    ])
    expect(malformed.map((r) => r.line)).toEqual([1, 2, 3, 4])
    const narrow = await records([`${header}\n1,"a,b\nx",y\n${row(3)}\n`])
    expect(errors(narrow)[0]?.[1]).toContain('3 columns where the header has 5')
    const first = await records([`${header}\n"note\nmore",2,3,4,5\n1,2,3,4,"a last\nfield"\n`])
    expect(first.slice(1).map((r) => [r.line, r.lastLine, r.values])).toEqual([
      [2, 3, ['note\nmore', '2', '3', '4', '5']],
      [4, 5, ['1', '2', '3', '4', 'a last\nfield']],
    ])
  })

  it('keeps a quoted field with line breaks that closes into a well-formed row, and names its lines', async () => {
    const out = await records([`${header}\n1,"2018-04-01\n00:00:31",596,3156,1.5\n${row(2)}\n`])
    expect(out.slice(1)).toEqual([
      { line: 2, lastLine: 3, values: ['1', '2018-04-01\n00:00:31', '596', '3156', '1.5'], raw: '1,"2018-04-01\n00:00:31",596,3156,1.5' },
      { line: 4, values: row(2).split(','), raw: row(2) },
    ])
  })

  it('reads the same records whatever the chunk boundaries', async () => {
    const text = file({
      5: '4,"2018-04-01 00:00:31,596,4.5',
      6: '5,"x',
      20: '19,2018-04-01 00:00:31,59"6,3156,1',
      30: '29,"2018-04-01\r\n00:00:31",596,3156,1.5',
    })
    const whole = await records([text])
    for (const size of [1, 7, 64]) {
      const chunks: string[] = []
      for (let at = 0; at < text.length; at += size) chunks.push(text.slice(at, at + size))
      expect(await records(chunks)).toEqual(whole)
    }
    expect(whole.filter((r) => r.error !== undefined).map((r) => r.line)).toEqual([5, 6, 20])
  })
})

describe('csvRecords without recoverOpenQuotes (files this product wrote)', () => {
  it('lets a quoted field run on over lines whatever the header, and gives back only what never closes', async () => {
    // Like the scored-rows file: a narrow header, then rows that echo records with line breaks.
    const text = 'format,6,txId=0\n2,0.5,"a,b,c,d,e\nf,g,h,i,j"\n3,0.25,plain,row,x,y,z\n4,0.1,"never closed\n5,0.1,last'
    const out: CsvRecord[] = []
    for await (const batch of csvRecords([text])) out.push(...batch)
    expect(out.map((r) => [r.line, r.lastLine, r.error ?? r.values.length])).toEqual([
      [1, undefined, 3],
      [2, 3, 3],
      [4, undefined, 7],
      [5, undefined, 'a quote opened in field 3 is never closed (the file ends first): it would swallow line 6, which is read as a row of its own'],
      [6, undefined, 3],
    ])
  })
})
