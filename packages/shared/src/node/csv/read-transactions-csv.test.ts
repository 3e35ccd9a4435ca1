import { Readable } from 'node:stream'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CsvInputError, readTransactionsCsv, type CsvRow } from './read-transactions-csv.ts'

async function read(text: string | Buffer, options: { skipThroughLine?: number } = {}): Promise<CsvRow[]> {
  const rows: CsvRow[] = []
  for await (const row of readTransactionsCsv(Readable.from([typeof text === 'string' ? Buffer.from(text) : text]), options)) rows.push(row)
  return rows
}

const HEADER = 'TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT\n'

describe('readTransactionsCsv', () => {
  it('reads good rows and reports bad ones with their line numbers', async () => {
    const rows = await read(
      `${HEADER}1,2018-04-01 00:00:31,596,3156,57.16\n2,2018-04-01 00:01:00,5,6,abc\n3,2018-04-01,5,6\n\n4,"2018-04-02 10:00:00",7,8,1.5\n`,
    )
    expect(rows.map((r) => [r.line, r.result.ok])).toEqual([
      [2, true],
      [3, false],
      [4, false],
      [6, true],
    ])
    const bad = rows[1]?.result
    expect(bad?.ok === false && bad.errors[0]).toEqual({ line: 3, field: 'amount', reason: 'not a non-negative number: "abc"' })
    const short = rows[2]?.result
    expect(short?.ok === false && short.errors[0]?.reason).toBe('expected 5 columns, got 4')
  })

  it('passes over the rows up to a line when resuming, quoted line breaks included, and numbers lines as before', async () => {
    const text = `${HEADER.replace('\n', ',NOTE\n')}1,2018-04-01 00:00:31,596,3156,57.16,\n2,2018-04-01 00:01:00,5,6,abc,"two\nlines"\n3,2018-04-01 00:02:00,5,6,1,\n4,2018-04-01 00:03:00,7,8,1.5,\n`
    const all = await read(text)
    expect(all.map((r) => [r.line, r.lastLine])).toEqual([
      [2, undefined],
      [3, 4],
      [5, undefined],
      [6, undefined],
    ])
    // A line break where the mapping reads a value (here the date) is a quote left open: two bad rows.
    const broken = await read(`${HEADER}1,"2018-04-01\n00:01:00",5,6,1\n`)
    expect(broken.map((r) => [r.line, !r.result.ok && r.result.errors[0]?.reason])).toEqual([
      [
        2,
        'a quote opened in field 2 is never closed (a quote on line 3 would close it into a malformed record: its TX_DATETIME (timestamp) value would hold a line break): it would swallow line 3, which is read as a row of its own',
      ],
      [3, 'quote inside an unquoted field 1'],
    ])
    // A bad record over several lines names them.
    expect(all[1]?.result.ok === false && all[1].result.errors[0]?.reason).toMatch(
      /\(this record runs over lines 3-4: a quoted field in it holds line breaks\)$/,
    )
    const resumed = await read(text, { skipThroughLine: 3 })
    expect(resumed).toEqual(all.slice(2))
  })

  it('reports a broken quote as a row error and keeps going', async () => {
    const rows = await read(`${HEADER}1,2018-04-01 00:00:31,596,3156,57.16\n2,2018-04-01 00:00:31,5"96,3156,1\n3,2018-04-01 00:00:40,596,3156,2\n`)
    expect(rows.filter((r) => r.result.ok).length).toBe(2)
    expect(rows.some((r) => !r.result.ok && r.line === 3)).toBe(true)
  })

  it('reads a large chunk in pieces without breaking characters or lines at the piece edges', async () => {
    // One chunk of several 64 KB decoding pieces, padded so that the first piece edge
    // falls inside a two-byte character.
    const ids = Array.from({ length: 8000 }, (_, i) => `T\u00e9\u00e9${i}`)
    const build = (pad: string): Buffer =>
      Buffer.from(`${HEADER}${ids.map((id, i) => `${i},2018-04-01 00:00:31,${i % 97},${i === 0 ? pad : ''}${id},1.5\n`).join('')}`)
    let pad = ''
    let bytes = build(pad)
    for (let tries = 0; tries < 8 && ((bytes[64 << 10] as number) & 0xc0) !== 0x80; tries += 1) bytes = build((pad += 'x'))
    expect((bytes[64 << 10] as number) & 0xc0).toBe(0x80)
    expect(bytes.length).toBeGreaterThan(3 * (64 << 10))
    const rows = await read(bytes)
    expect(rows.length).toBe(8000)
    expect(rows.every((r, i) => r.result.ok && r.result.transaction.merchantId === `${i === 0 ? pad : ''}${ids[i] as string}`)).toBe(true)
  })

  it("takes a stray NUL in one cell as that row's error, keeping the rows beside it", async () => {
    const rows = await read(
      Buffer.from(`${HEADER}1,2018-04-01 00:00:31,596,3156,57.16\n2,2018-04-01 00:02:10,42\u0000,3156,81.51\n3,2018-04-01 00:07:56,2,1365,146.00\n`),
    )
    expect(rows.map((r) => [r.line, r.result.ok])).toEqual([
      [2, true],
      [3, false],
      [4, true],
    ])
    const bad = rows[1]?.result
    expect(bad !== undefined && !bad.ok ? bad.errors.map((e) => e.reason).join(' ') : '').toMatch(/NUL/)
  })

  it('refuses empty files, binary files and files without the needed columns', async () => {
    await expect(read('')).rejects.toThrow(CsvInputError)
    await expect(read('')).rejects.toThrow(/empty/)
    await expect(read(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0x14, 0]))).rejects.toThrow(/binary/)
    await expect(read('{"a": 1}\n')).rejects.toThrow(/not a CSV file/)
    await expect(read(Buffer.from('\ufefftxId,amount\n1,2\n', 'utf16le'))).rejects.toThrow(/UTF-16/)
    await expect(read(Buffer.from('txId,amount\n1,2\n', 'utf16le'))).rejects.toThrow(/UTF-16/)
    await expect(read('name,colour\nbob,red\n')).rejects.toThrow(/cannot use this file's columns: missing required column for amount/)
  })
})

describe('readTransactionsCsv accounts for every row', () => {
  const KINDS = ['good', 'quoted', 'badAmount', 'strayQuote', 'dropField', 'blankAfter', 'crlf'] as const
  type Kind = (typeof KINDS)[number] | 'openQuoteShort' | 'multiline'
  // A free-text column last: the one place a quoted value may hold a line break.
  const HEAD = HEADER.replace('\n', ',FREE_TEXT\n')
  const good = (i: number): string[] => [`T${i}`, `2018-04-01 00:${String(i % 60).padStart(2, '0')}:31`, `${i % 7}`, `${i % 5}`, `${i}.5`, `n${i}`]
  /** One data row as text (one line unless multiline), for a kind and a position for a stray quote. */
  const rowText = (i: number, kind: Kind, at: number): string => {
    const v = good(i)
    switch (kind) {
      case 'quoted':
        return [v[0], `"${v[1] as string}"`, v[2], `"${v[3] as string}"`, v[4], v[5]].join(',')
      case 'badAmount':
        return [...v.slice(0, 4), 'abc', v[5]].join(',')
      case 'strayQuote': {
        const t = v.join(',')
        const p = at % (t.length + 1)
        return `${t.slice(0, p)}"${t.slice(p)}`
      }
      case 'dropField':
        return [...v.slice(0, 3), ...v.slice(4)].join(',')
      case 'openQuoteShort':
        return [v[0], `"${v[1] as string}`, ...v.slice(3)].join(',')
      case 'multiline':
        return [...v.slice(0, 5), `"a note,\nover two lines"`].join(',')
      default:
        return v.join(',')
    }
  }
  /** okExpected: whether each row converts. */
  const build = (kinds: readonly Kind[], ats: readonly number[]): { text: string; lines: number[]; okExpected: boolean[] } => {
    let text = HEAD
    let line = 1
    const lines: number[] = []
    const okExpected: boolean[] = []
    kinds.forEach((kind, index) => {
      const t = rowText(index + 1, kind, ats[index] ?? 0)
      line += 1
      lines.push(line)
      line += t.split('\n').length - 1
      okExpected.push(kind === 'good' || kind === 'quoted' || kind === 'blankAfter' || kind === 'crlf' || kind === 'multiline')
      text += kind === 'crlf' ? `${t}\r\n` : `${t}\n`
      if (kind === 'blankAfter') {
        text += '\n'
        line += 1
      }
    })
    return { text, lines, okExpected }
  }
  const readAll = async (text: string, chunk: number): Promise<CsvRow[]> => {
    const bytes = Buffer.from(text)
    const pieces: Buffer[] = []
    for (let at = 0; at < bytes.length; at += chunk) pieces.push(bytes.subarray(at, at + chunk))
    const rows: CsvRow[] = []
    for await (const row of readTransactionsCsv(Readable.from(pieces))) rows.push(row)
    return rows
  }

  it('scored + bad = data rows, each at its line, for files with quotes left open', async () => {
    const cases: Kind[][] = [
      // The probe: one quote left open among 40 rows.
      Array.from({ length: 40 }, (_, i): Kind => (i === 11 ? 'strayQuote' : 'good')),
      Array.from({ length: 40 }, (_, i): Kind => (i === 11 ? 'openQuoteShort' : i === 30 ? 'multiline' : 'good')),
      ['good', 'openQuoteShort', 'dropField', 'dropField', 'strayQuote', 'blankAfter', 'good'],
      ['good', 'strayQuote', 'strayQuote', 'strayQuote', 'good'],
      ['openQuoteShort'],
      ['good', 'good', 'openQuoteShort', 'dropField'],
    ]
    for (const kinds of cases) {
      // Quote at the start of field 3 for the stray ones: the quote that opens a field.
      const ats = kinds.map((_, i) => `T${i + 1},2018-04-01 00:${String((i + 1) % 60).padStart(2, '0')}:31,`.length)
      const { text, lines, okExpected } = build(kinds, ats)
      const rows = await readAll(text, 13)
      const scored = rows.filter((r) => r.result.ok).length
      const bad = rows.filter((r) => !r.result.ok).length
      expect(scored + bad).toBe(kinds.length)
      expect(rows.map((r) => r.line)).toEqual(lines)
      expect(rows.map((r) => r.result.ok)).toEqual(okExpected)
    }
  })

  it('property: every data row is scored or reported at its line, wherever stray quotes fall', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ kind: fc.constantFrom<Kind>(...KINDS, 'multiline'), at: fc.nat(60) }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat(39), { maxLength: 4 }),
        fc.integer({ min: 1, max: 200 }),
        async (spec, shorts, chunk) => {
          const kinds = spec.map((s) => s.kind)
          // Rows that both lack a column and open a quote (in the date), which other stray quotes can close.
          for (const index of shorts) kinds[index % kinds.length] = 'openQuoteShort'
          const { text, lines, okExpected } = build(
            kinds,
            spec.map((s) => s.at),
          )
          const rows = await readAll(text, chunk)
          expect(rows.filter((r) => r.result.ok).length + rows.filter((r) => !r.result.ok).length).toBe(kinds.length)
          expect(rows.map((r) => r.line)).toEqual(lines)
          // A stray quote may land where it does no harm (doubled with another); never the reverse.
          rows.forEach((r, i) => {
            if (okExpected[i] === true) expect(r.result.ok).toBe(true)
            if (kinds[i] !== 'strayQuote' && okExpected[i] === false) expect(r.result.ok).toBe(false)
          })
        },
      ),
      { numRuns: 300 },
    )
  })

  it('property: with any quotes, commas and line breaks thrown in, every non-blank line belongs to exactly one row', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(40 * 40), fc.constantFrom('"', ',', '\n', '""', '\n\n')), { maxLength: 12 }),
        fc.integer({ min: 1, max: 200 }),
        async (edits, chunk) => {
          let text = build(
            Array.from({ length: 40 }, (): Kind => 'good'),
            [],
          ).text
          for (const [at, insert] of edits) {
            const p = HEAD.length + (at % (text.length - HEAD.length))
            text = `${text.slice(0, p)}${insert}${text.slice(p)}`
          }
          const rows = await readAll(text, chunk)
          const physical = text.split('\n')
          if (physical[physical.length - 1] === '') physical.pop()
          const nonBlank = physical.flatMap((l, i) => (i > 0 && l !== '' ? [i + 1] : []))
          const covered: number[] = []
          for (const r of rows) {
            for (let l = r.line; l <= (r.lastLine ?? r.line); l += 1) covered.push(l)
            if (!r.result.ok && r.lastLine !== undefined) expect(r.result.errors[0]?.reason).toContain(`lines ${r.line}-${r.lastLine}`)
          }
          // Blank lines inside a quoted field are part of its row.
          expect(covered.filter((l) => physical[l - 1] !== '')).toEqual(nonBlank)
        },
      ),
      { numRuns: 300 },
    )
  })
})
