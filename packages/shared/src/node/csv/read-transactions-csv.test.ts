import { Readable } from 'node:stream'
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
    const rows = await read(`${HEADER}1,2018-04-01 00:00:31,596,3156,57.16\n2,2018-04-01 00:01:00,5,6,abc\n3,2018-04-01,5,6\n\n4,"2018-04-02 10:00:00",7,8,1.5\n`)
    expect(rows.map((r) => [r.line, r.result.ok])).toEqual([[2, true], [3, false], [4, false], [6, true]])
    const bad = rows[1]?.result
    expect(bad?.ok === false && bad.errors[0]).toEqual({ line: 3, field: 'amount', reason: 'not a non-negative number: "abc"' })
    const short = rows[2]?.result
    expect(short?.ok === false && short.errors[0]?.reason).toBe('expected 5 columns, got 4')
  })

  it('passes over the rows up to a line when resuming, quoted line breaks included, and numbers lines as before', async () => {
    const text = `${HEADER}1,2018-04-01 00:00:31,596,3156,57.16\n2,"2018-04-01\n00:01:00",5,6,abc\n3,2018-04-01 00:02:00,5,6,1\n4,2018-04-01 00:03:00,7,8,1.5\n`
    const all = await read(text)
    expect(all.map((r) => r.line)).toEqual([2, 3, 5, 6])
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

  it('refuses empty files, binary files and files without the needed columns', async () => {
    await expect(read('')).rejects.toThrow(CsvInputError)
    await expect(read('')).rejects.toThrow(/empty/)
    await expect(read(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0x14, 0]))).rejects.toThrow(/binary/)
    await expect(read('{"a": 1}\n')).rejects.toThrow(/not a CSV file/)
    await expect(read('name,colour\nbob,red\n')).rejects.toThrow(/cannot use this file's columns: missing required column for amount/)
  })
})
