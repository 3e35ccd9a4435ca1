import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { csvRecords, readTransactionBatches } from '@anomalyze/shared/node'
import { rowErrorsCsv, rowErrorsOf } from './batch-row-errors.ts'

const HEADER = 'txId,timestamp,accountId,merchantId,amount'
const row = (i: number): string => `t-${i},2026-03-01T10:${String(i % 60).padStart(2, '0')}:00Z,card_${i % 7},term_${i % 5},${i}.5`

/** 40 data rows (lines 2-41) with a few spoiled: what a batch job reads. */
function file(): string {
  const lines = [HEADER, ...Array.from({ length: 40 }, (_, i) => row(i + 1))]
  lines[12] = 't-12,"2026-03-01T10:12:00Z,card_5,term_2,12.5' // line 13: a quote never closed
  lines[19] = 't-19,2026-03-01T10:19:00Z,card_5,,19.5' // line 20: no merchant
  lines[29] = 't-29,"2026-03-01T10:29:00Z,card_1,29.5' // line 30: a quote never closed, a column short
  lines[30] = 't-30,2026-03-01T10:30:00Z,card_2,term_0' // line 31: a column short
  return `${lines.join('\n')}\n`
}

describe('batch row errors', () => {
  it('accounts for every row: good + rejected = data rows, each rejected one by line and reason', async () => {
    let good = 0
    const rejected: number[] = []
    for await (const batch of readTransactionBatches(Readable.from([Buffer.from(file())]), { overrides: new Map() })) {
      for (const r of batch) {
        if (rowErrorsOf(r.line, r.result).length === 0) good += 1
        else rejected.push(r.line)
      }
    }
    expect(rejected).toEqual([13, 20, 30, 31])
    expect(good + rejected.length).toBe(40)
  })

  it('writes the quote left open into the errors file with the lines it would have swallowed', async () => {
    let text = ''
    for await (const piece of rowErrorsCsv(Readable.from([Buffer.from(file())]), new Map())) text += piece
    const records: string[][] = []
    for await (const batch of csvRecords([text])) for (const r of batch) records.push(r.values)
    expect(records[0]).toEqual(['line', 'field', 'message'])
    const byLine = new Map(records.slice(1).map((r) => [r[0], r]))
    expect([...byLine.keys()]).toEqual(['13', '20', '30', '31'])
    expect(byLine.get('13')).toEqual([
      '13',
      'row',
      'a quote opened in field 2 is never closed (line 14 is a complete row): it would swallow line 14, which is read as a row of its own',
    ])
    expect(byLine.get('30')?.[2]).toContain('it would swallow lines 31-32, which are read as rows of their own')
  })
})
