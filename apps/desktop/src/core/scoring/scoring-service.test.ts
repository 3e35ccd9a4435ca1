import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { csvRecords, loadDefaultModel, scoreFile } from '@anomalyze/shared/node'
import { createCore, type Core } from '../create-core.ts'
import { openLocalStore } from '../store/local-store.ts'
import { writeGeneratedCsv } from '../../../test/support/generated-csv.ts'

let dir: string
let core: Core

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'anomalyze-scoring-test-'))
  core = createCore({ dataDir: join(dir, 'data') })
})

afterAll(async () => {
  await core.close()
  rmSync(dir, { recursive: true, force: true })
})

async function readCsv(path: string): Promise<string[][]> {
  const rows: string[][] = []
  for await (const records of csvRecords([readFileSync(path)])) for (const r of records) rows.push(r.values)
  return rows
}

function quietStderr(): NodeJS.WriteStream {
  return { write: () => true } as unknown as NodeJS.WriteStream
}

async function call<T>(result: Promise<{ data?: T; error?: { message: string } }>): Promise<T> {
  const r = await result
  if (r.error !== undefined) throw new Error(r.error.message)
  return r.data as T
}

describe('offline CSV scoring', () => {
  it('maps columns, scores good rows, lists bad rows with line numbers, and stores a local batch', async () => {
    const path = join(dir, 'handbook.csv')
    // Picked in the native dialog (Electron's main registers picks with the core).
    core.allowPath(path, 'read')
    const badLines = writeGeneratedCsv(path, { rows: 3_000, badAt: [10, 2_500] })
    expect(badLines).toEqual([11, 2_501])

    const h = core.handlers
    expect(await call(h['scoring.availability']({}))).toMatchObject({ available: true, modelVersion: expect.stringMatching(/^default@/) })
    const inspection = await call(h['scoring.inspect']({ source: { path } }))
    expect(inspection.errors).toEqual([])
    expect(inspection.remembered).toBe(false)
    expect(inspection.mapping).toMatchObject({ txId: 0, timestamp: 1, accountId: 2, merchantId: 3, amount: 4, currency: 5 })
    expect(inspection.sample).toHaveLength(5)

    const started = await call(h['scoring.start']({ source: { path }, mapping: inspection.mapping }))
    expect(started.state).toBe('running')
    const job = await core.scoring.settled(started.jobId)
    expect(job).toMatchObject({ state: 'done', rowsRead: 3_000, scored: 2_998, badRowCount: 2, fraction: 1, error: null })
    expect(job.badRows.map((b) => [b.line, b.field])).toEqual([
      [11, 'amount'],
      [2_501, 'amount'],
    ])
    expect(job.badRows[0]?.reason).toContain('twelve')
    // The queue gets the alerts (as on the server: MEDIUM or above, or a rule fired), not every row.
    expect(job.alerts).toBeGreaterThan(0)
    expect(job.alerts).toBeLessThan(job.scored / 4)

    const batches = await call(h['scoring.batches']({}))
    expect(batches).toEqual([expect.objectContaining({ id: job.batchId, name: 'handbook.csv', rowCount: 2_998, alertCount: job.alerts, badRowCount: 2 })])
    // The queue's file picker counts what the queue holds (alerts) beside the rows scored.
    expect(core.store.queue.facets().batches).toEqual([expect.objectContaining({ id: job.batchId, rowCount: 2_998, alertCount: job.alerts })])
    const badPage = await call(h['scoring.badRows']({ batchId: job.batchId }))
    expect(badPage.total).toBe(2)

    // The queue, filtered to the batch, shows exactly its alerts; the server queue none of them.
    const snapshot = await call(h['queue.snapshot']({ filters: { batchId: job.batchId }, sort: 'severity' }))
    expect(snapshot.total).toBe(job.alerts)
    expect((await call(h['queue.snapshot']({ filters: {}, sort: 'severity' }))).total).toBe(0)
    const quietInQueue = core.store.db.prepare("SELECT COUNT(*) FROM anomalies WHERE batch_id = ? AND severity = 'LOW' AND rules_json = '[]'").pluck()
    expect(quietInQueue.get(job.batchId)).toBe(0)
    const top = await call(h['queue.rows']({ keys: snapshot.keys.slice(0, 1) }))
    const detail = await call(h['anomaly.get']({ id: top[0]?.id ?? '' }))
    expect(detail.batchId).toBe(job.batchId)
    expect(detail.modelVersion).toMatch(/^default@/)
    expect(detail.severity).not.toBe('LOW')
    expect(detail.explanation).toMatch(/^Score \d\.\d\d \((MEDIUM|HIGH|CRITICAL)\)/)

    // Deciding on a local row stays local (the server has never seen it).
    await call(h['decision.record']({ anomalyIds: [detail.id], label: 'CONFIRMED_FRAUD' }))
    expect(core.store.db.prepare('SELECT local_only FROM outbox WHERE anomaly_id = ?').pluck().get(detail.id)).toBe(1)

    // Export: every scored row once, in file order, the queue's rows with the analyst's decision.
    const out = join(dir, 'scored.csv')
    // Picked in the native dialog (Electron's main registers picks with the core).
    core.allowPath(out, 'write')
    expect(await call(h['scoring.export']({ batchId: job.batchId, path: out }))).toEqual({ path: out, rows: 2_998 })
    // One line per row: no blank lines between the two sources.
    expect(readFileSync(out, 'utf8').split('\n')).toHaveLength(1 + 2_998 + 1)
    const exported = await readCsv(out)
    expect(exported[0]).toEqual([
      'line',
      'txId',
      'timestamp',
      'amount',
      'currency',
      'accountId',
      'merchantId',
      'category',
      'country',
      'channel',
      'score',
      'severity',
      'rules',
      'status',
      'explanation',
    ])
    const rows = exported.slice(1)
    const expectedLines = Array.from({ length: 3_000 }, (_, i) => i + 2).filter((l) => l !== 11 && l !== 2_501)
    expect(rows.map((r) => Number(r[0]))).toEqual(expectedLines)
    expect(rows.filter((r) => r[13] === 'CONFIRMED_FRAUD').map((r) => r[0])).toEqual([detail.id.slice(detail.id.lastIndexOf(':') + 1)])
    // Alerts carry their queue status; the other rows are LOW with no rule and no status.
    expect(rows.filter((r) => r[13] !== '')).toHaveLength(job.alerts)
    for (const r of rows.filter((x) => x[13] === '')) expect([r[11], r[12]]).toEqual(['LOW', ''])

    // The same scores, severities and rules, row by row, as the CLI's `anomalyze score`.
    const cliOut = join(dir, 'cli-scored.csv')
    const model = await loadDefaultModel()
    await scoreFile({ input: path, output: cliOut, model, stderr: quietStderr() }).finally(() => model.scorer.close())
    const cli = (await readCsv(cliOut)).slice(1)
    expect(cli).toHaveLength(2_998)
    expect(rows.map((r) => [r[1], r[10], r[11], r[12]])).toEqual(cli.map((c) => [c[0], c[6], c[7], c[8]]))

    // The confirmed mapping is remembered for the next file with the same header row.
    const again = await call(h['scoring.inspect']({ source: { path } }))
    expect(again.remembered).toBe(true)
  })

  it('remembers an edited mapping per header set', async () => {
    const path = join(dir, 'odd.csv')
    // Picked in the native dialog (Electron's main registers picks with the core).
    core.allowPath(path, 'read')
    writeFileSync(path, 'ref,when,who,where,how much,notes\nA1,2024-01-01 10:00:00,C1,T1,12.50,x\nA2,2024-01-01 11:00:00,C1,T2,99,y\n')
    const h = core.handlers
    const first = await call(h['scoring.inspect']({ source: { path } }))
    expect(first.errors.length).toBeGreaterThan(0)
    const mapping = { txId: 0, timestamp: 1, accountId: 2, merchantId: 3, amount: 4 }
    const bad = await h['scoring.start']({ source: { path }, mapping: { txId: 0 } })
    expect(bad.error?.code).toBe('BAD_INPUT')
    const job = await core.scoring.settled((await call(h['scoring.start']({ source: { path }, mapping, name: 'Odd export' }))).jobId)
    expect(job).toMatchObject({ state: 'done', scored: 2, badRowCount: 0, name: 'Odd export' })
    const next = await call(h['scoring.inspect']({ source: { path } }))
    expect(next).toMatchObject({ remembered: true, mapping, errors: [] })
  })

  it('cancels a running job and leaves nothing of it behind', async () => {
    const path = join(dir, 'big.csv')
    // Picked in the native dialog (Electron's main registers picks with the core).
    core.allowPath(path, 'read')
    writeGeneratedCsv(path, { rows: 60_000 })
    const h = core.handlers
    const inspection = await call(h['scoring.inspect']({ source: { path } }))
    const before = (await call(h['scoring.batches']({}))).length
    const started = await call(h['scoring.start']({ source: { path }, mapping: inspection.mapping }))
    // Only one file at a time on a laptop: a second start is refused while this runs.
    expect((await h['scoring.start']({ source: { path }, mapping: inspection.mapping })).error?.code).toBe('CONFLICT')
    await call(h['scoring.cancel']({ jobId: started.jobId }))
    const job = await core.scoring.settled(started.jobId)
    expect(job.state).toBe('cancelled')
    expect(job.scored).toBeLessThan(60_000)
    expect(await call(h['scoring.batches']({}))).toHaveLength(before)
    expect(core.store.db.prepare('SELECT COUNT(*) FROM anomalies WHERE batch_id = ?').pluck().get(job.batchId)).toBe(0)
    expect(existsSync(core.store.batches.rowsFile(job.batchId))).toBe(false)
  })

  it('keeps the rows outside the queue in a file beside the cache that goes with its batch', async () => {
    const path = join(dir, 'kept.csv')
    // Picked in the native dialog (Electron's main registers picks with the core).
    core.allowPath(path, 'read')
    writeGeneratedCsv(path, { rows: 2_000, seed: 3 })
    const inspection = await call(core.handlers['scoring.inspect']({ source: { path } }))
    const job = await core.scoring.settled((await call(core.handlers['scoring.start']({ source: { path }, mapping: inspection.mapping }))).jobId)
    const rowsFile = core.store.batches.rowsFile(job.batchId)
    expect(dirname(rowsFile)).toBe(join(dir, 'data', 'scored-rows'))
    // Only this user may read it, like the cache.
    if (process.platform !== 'win32') expect(statSync(rowsFile).mode & 0o777).toBe(0o600)
    // A format line, then one line per row that is not in the queue.
    expect(readFileSync(rowsFile, 'utf8').trimEnd().split('\n')).toHaveLength(1 + job.scored - job.alerts)

    // A file being scored when the app died: batch and rows file are gone at the next start.
    const crashDir = join(dir, 'crash')
    const crashed = openLocalStore(join(crashDir, 'anomalyze-cache.db'))
    const batchId = `local_${randomUUID()}`
    crashed.batches.create({ id: batchId, name: 'half.csv', sourcePath: null, modelVersion: 'default@1.0.0', now: 1 })
    mkdirSync(dirname(crashed.batches.rowsFile(batchId)), { recursive: true })
    writeFileSync(crashed.batches.rowsFile(batchId), '2,T1,2024-01-01T00:00:00.000Z,1,INR,C1,M1,,,,0.100000,LOW,,,Score 0.10 (LOW).\n')
    crashed.close()
    const reopened = openLocalStore(join(crashDir, 'anomalyze-cache.db'))
    expect(existsSync(reopened.batches.rowsFile(batchId))).toBe(false)
    expect(reopened.db.prepare('SELECT COUNT(*) FROM local_batches').pluck().get()).toBe(0)
    reopened.close()
  })

  it('exports quoted fields (commas, quotes, line breaks) of rows outside the queue as they were read', async () => {
    const path = join(dir, 'quoted.csv')
    // Picked in the native dialog (Electron's main registers picks with the core).
    core.allowPath(path, 'read')
    writeFileSync(
      path,
      [
        'ref,when,who,where,how much,notes',
        '"A,1",2024-01-01 10:00:00,C1,"T ""north""",12.50,x',
        '"A\r\n2",2024-01-01 11:00:00,C1,T2,9.99,"multi',
        'line"',
        'A3,2024-01-01 12:00:00,"C,1",T2,10.00,z',
        '',
      ].join('\r\n'),
    )
    const mapping = { txId: 0, timestamp: 1, accountId: 2, merchantId: 3, amount: 4 }
    const job = await core.scoring.settled((await call(core.handlers['scoring.start']({ source: { path }, mapping }))).jobId)
    expect(job).toMatchObject({ state: 'done', scored: 3, alerts: 0, badRowCount: 0 })
    const out = join(dir, 'quoted-scored.csv')
    // Picked in the native dialog (Electron's main registers picks with the core).
    core.allowPath(out, 'write')
    expect(await call(core.handlers['scoring.export']({ batchId: job.batchId, path: out }))).toEqual({ path: out, rows: 3 })
    const rows = (await readCsv(out)).slice(1)
    expect(rows.map((r) => [r[0], r[1], r[5], r[6], r[3]])).toEqual([
      ['2', 'A,1', 'C1', 'T "north"', '12.5'],
      // The reader takes line breaks inside quotes as \n, as it does for the queue's rows.
      ['3', 'A\n2', 'C1', 'T2', '9.99'],
      // Lines 3 to 5 were one record.
      ['6', 'A3', 'C,1', 'T2', '10'],
    ])
  })

  it('refuses a file that is not CSV, and an empty one, with a clear message', async () => {
    const binary = join(dir, 'model.bin')
    writeFileSync(binary, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 1]))
    const empty = join(dir, 'empty.csv')
    writeFileSync(empty, '')
    for (const picked of [binary, empty, join(dir, 'missing.csv')]) core.allowPath(picked, 'read')
    const h = core.handlers
    expect((await h['scoring.inspect']({ source: { path: binary } })).error?.message).toContain('binary data')
    expect((await h['scoring.inspect']({ source: { path: empty } })).error?.message).toContain('empty')
    expect((await h['scoring.inspect']({ source: { path: join(dir, 'missing.csv') } })).error?.code).toBe('NOT_FOUND')
  })

  it('refuses a header-only or empty file before a batch exists, naming the file the analyst picked', async () => {
    const h = core.handlers
    const before = (await call(h['scoring.batches']({}))).length
    const header = 'txId,timestamp,accountId,merchantId,amount\n'
    for (const [fileName, content, said] of [
      ['transactions-march.csv', header, 'transactions-march.csv has a header row but no transactions'],
      ['blank-lines.csv', `${header}\n\n`, 'blank-lines.csv has a header row but no transactions'],
      ['nothing.csv', '', 'nothing.csv is empty'],
    ] as const) {
      // Browser mode: the bytes are stored under a random id; messages still say the picked name.
      const { uploadId } = await core.scoring.receiveUpload(Readable.from([Buffer.from(content)]), fileName)
      const inspected = await h['scoring.inspect']({ source: { uploadId } })
      expect(inspected.error?.message).toContain(said)
      expect(inspected.error?.message).not.toContain(uploadId)
      const started = await h['scoring.start']({ source: { uploadId }, mapping: { txId: 0, timestamp: 1, accountId: 2, merchantId: 3, amount: 4 } })
      expect(started.error?.code).toBe('BAD_INPUT')
      expect(started.error?.message).toContain(said)
    }
    expect((await call(h['scoring.batches']({}))).length).toBe(before)
  })

  it("says what is missing from a mapping in the analyst's words", async () => {
    const path = join(dir, 'needs-mapping.csv')
    core.allowPath(path, 'read')
    writeFileSync(path, 'when,who,amount\n2024-01-01T00:00:00Z,C1,12.5\n')
    const { uploadId } = await core.scoring.receiveUpload(Readable.from([readFileSync(path)]), 'needs-mapping.csv')
    const started = await core.handlers['scoring.start']({ source: { uploadId }, mapping: { timestamp: 0, accountId: 1, amount: 2 } })
    expect(started.error?.message).toBe('needs-mapping.csv: the column mapping is not usable: choose the column for Merchant / terminal')
  })

  it('renames a scored file and deletes it with its queue rows, bad rows and scored-rows file', async () => {
    const h = core.handlers
    const path = join(dir, 'to-delete.csv')
    core.allowPath(path, 'read')
    writeGeneratedCsv(path, { rows: 800, badAt: [5] })
    const inspection = await call(h['scoring.inspect']({ source: { path } }))
    const job = await core.scoring.settled((await call(h['scoring.start']({ source: { path }, mapping: inspection.mapping }))).jobId)
    expect(job).toMatchObject({ state: 'done', badRowCount: 1 })
    expect(job.alerts).toBeGreaterThan(0)

    expect(await call(h['scoring.renameBatch']({ batchId: job.batchId, name: '  March, branch 12  ' }))).toMatchObject({
      id: job.batchId,
      name: 'March, branch 12',
    })
    expect(core.store.queue.facets().batches.find((b) => b.id === job.batchId)?.name).toBe('March, branch 12')
    expect((await h['scoring.renameBatch']({ batchId: job.batchId, name: '   ' })).error).toMatchObject({ code: 'BAD_INPUT' })
    // Text SQLite keeps but nothing should show (a NUL) is refused under its field, and the name stays.
    expect((await h['scoring.renameBatch']({ batchId: job.batchId, name: 'March\u0000' })).error).toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/name/),
    })
    expect(core.store.queue.facets().batches.find((b) => b.id === job.batchId)?.name).toBe('March, branch 12')
    expect((await h['scoring.renameBatch']({ batchId: 'local_nope', name: 'x' })).error).toMatchObject({ code: 'NOT_FOUND' })

    const rowsFile = core.store.batches.rowsFile(job.batchId)
    expect(existsSync(rowsFile)).toBe(true)
    expect(await call(h['scoring.deleteBatch']({ batchId: job.batchId }))).toMatchObject({ deleted: { id: job.batchId, name: 'March, branch 12' } })
    expect((await call(h['scoring.batches']({}))).some((b) => b.id === job.batchId)).toBe(false)
    expect((await call(h['queue.snapshot']({ filters: { batchId: job.batchId }, sort: 'severity' }))).total).toBe(0)
    expect(core.store.db.prepare('SELECT COUNT(*) FROM local_batch_errors WHERE batch_id = ?').pluck().get(job.batchId)).toBe(0)
    expect(existsSync(rowsFile)).toBe(false)
    expect((await h['scoring.deleteBatch']({ batchId: job.batchId })).error).toMatchObject({ code: 'NOT_FOUND' })
  })
})
