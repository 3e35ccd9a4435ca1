import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../create-core.ts'
import { generatedCsv } from '../../../test/support/generated-csv.ts'

let dir: string
let core: Core

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'anomalyze-rows-accounted-'))
  core = createCore({ dataDir: join(dir, 'data') })
})

afterAll(async () => {
  await core.close()
  rmSync(dir, { recursive: true, force: true })
})

const MAPPING = { txId: 0, timestamp: 1, accountId: 2, merchantId: 3, amount: 4, currency: 5 }

/** A 40-row generated file (lines 2-41) with some lines spoiled by `spoil`. */
function fileWith(name: string, spoil: Record<number, (line: string) => string>): string {
  const lines = generatedCsv({ rows: 40 }).text.trimEnd().split('\n')
  for (const [n, f] of Object.entries(spoil)) lines[Number(n) - 1] = f(lines[Number(n) - 1] as string)
  const path = join(dir, name)
  writeFileSync(path, `${lines.join('\n')}\n`)
  // As if picked in the console's file dialog (the core reads no other outside file).
  core.scoring.allowPath(path, 'read')
  return path
}

/** A quote opened at the start of field `field` (1-based) that never closes. */
const openQuote =
  (field: number) =>
  (line: string): string =>
    line
      .split(',')
      .map((v, i) => (i === field - 1 ? `"${v}` : v))
      .join(',')
const dropColumn =
  (field: number) =>
  (line: string): string =>
    line
      .split(',')
      .filter((_, i) => i !== field - 1)
      .join(',')

async function score(path: string) {
  const started = await core.handlers['scoring.start']({ source: { path }, mapping: MAPPING })
  if (started.error !== undefined) throw new Error(started.error.message)
  const job = await core.scoring.settled((started.data as { jobId: string }).jobId)
  const stored = await core.handlers['scoring.badRows']({ batchId: job.batchId })
  return { job, stored: stored.data as { total: number; rows: { line: number; reason: string }[] } }
}

describe('every row of a scored file is accounted for', () => {
  it('scores the rows after a quote left open (the probe: 40 rows, one unterminated quote)', async () => {
    const { job, stored } = await score(fileWith('open-quote.csv', { 13: openQuote(3) }))
    expect(job).toMatchObject({ state: 'done', rowsRead: 40, scored: 39, badRowCount: 1 })
    expect(job.scored + job.badRowCount).toBe(40)
    expect(job.badRows.map((b) => [b.line, b.field])).toEqual([[13, 'row']])
    expect(job.badRows[0]?.reason).toBe(
      'a quote opened in field 3 is never closed (line 14 is a complete row): it would swallow line 14, which is read as a row of its own',
    )
    expect(stored.total).toBe(1)
  })

  it('adds up on files with several malformed rows, and says which lines each bad row covers', async () => {
    const path = fileWith('malformed.csv', {
      5: (l) => openQuote(2)(dropColumn(4)(l)),
      6: dropColumn(3),
      20: (l) => l.replace(/,([0-9.]+),INR$/, ',"$1,INR'),
      40: openQuote(2),
      41: dropColumn(6),
    })
    const { job, stored } = await score(path)
    expect(job.state).toBe('done')
    expect(job.rowsRead).toBe(40)
    expect(job.scored + job.badRowCount).toBe(40)
    expect(job.badRows.map((b) => b.line)).toEqual([5, 6, 20, 40, 41])
    expect(job.badRows.find((b) => b.line === 40)?.reason).toContain('line 41')
    expect(stored.rows.map((b) => b.line)).toEqual([5, 6, 20, 40, 41])
    expect((await core.handlers['scoring.batches']({})).data).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: job.batchId, rowCount: job.scored, badRowCount: job.badRowCount })]),
    )
  })

  it('names the lines a quote runs over to the end of the file', async () => {
    const path = fileWith('to-the-end.csv', Object.fromEntries([[30, openQuote(2)], ...Array.from({ length: 11 }, (_, i) => [31 + i, dropColumn(5)])]))
    const { job } = await score(path)
    expect(job.scored + job.badRowCount).toBe(40)
    expect(job.scored).toBe(28)
    expect(job.badRows.find((b) => b.line === 30)?.reason).toBe(
      'a quote opened in field 2 is never closed (the file ends first): it would swallow lines 31-41, which are read as rows of their own',
    )
  })

  it('keeps a quoted line break in an id, and reads one in a date as a quote left open', async () => {
    const lines = generatedCsv({ rows: 4 }).text.trimEnd().split('\n')
    const [id, when, ...rest] = (lines[2] as string).split(',')
    lines[2] = [`"${id as string}\r\nb"`, when, ...rest].join(',')
    const [id2, when2, ...rest2] = (lines[4] as string).split(',')
    lines[4] = [id2, `"${(when2 as string).replace(' ', '\n')}"`, ...rest2].join(',')
    const path = join(dir, 'line-breaks.csv')
    writeFileSync(path, `${lines.join('\n')}\n`)
    core.scoring.allowPath(path, 'read')
    const { job } = await score(path)
    // Line 3-4: one row (an id with a line break); lines 6 and 7: a date cannot hold one.
    expect(job).toMatchObject({ state: 'done', rowsRead: 5, scored: 3, badRowCount: 2 })
    expect(job.badRows.map((b) => b.line)).toEqual([6, 7])
    expect(job.badRows[0]?.reason).toContain('TX_DATETIME (timestamp) value would hold a line break')
  })
})
