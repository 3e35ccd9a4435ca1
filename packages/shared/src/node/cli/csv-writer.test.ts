import { describe, expect, it } from 'vitest'
import { csvField, csvLine, rawCsvField } from './csv-writer.ts'
import { csvRecords } from '../csv/csv-records.ts'
import { Readable } from 'node:stream'

describe('CSV writing', () => {
  it('makes every cell of a file people open spreadsheet-safe: formulas get a leading quote, plain numbers stay numbers', () => {
    expect(csvLine(['=HYPERLINK("http://x","y")', '+1', '-2+3', '@SUM(A1)', '\tx', '-12.5', 'plain'])).toBe(
      `"'=HYPERLINK(""http://x"",""y"")",'+1,'-2+3,'@SUM(A1),'\tx,-12.5,plain\n`,
    )
    expect(csvField('\r=1')).toBe(`"'\r=1"`)
  })

  it('keeps values exact in files only the product reads back', async () => {
    const values = ['=1+1', 'a,"b"', '-x']
    const line = `${values.map(rawCsvField).join(',')}\n`
    const batches = []
    for await (const batch of csvRecords(Readable.from([line]))) batches.push(...batch)
    expect(batches[0]?.values).toEqual(values)
  })
})
