import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApp, type RunningApp, loadEnv, LOCAL_USER_ID, testLogger, createTestDatabase, type TestDatabase } from '@anomalyze/server/testing'
import { createCore, type Core } from '../src/core/create-core.ts'
import { generatedCsv } from '../test/support/generated-csv.ts'

/**
 * "Upload as batch job" from the console core to the real server (in-process, on a
 * throwaway Postgres, its pg-boss worker running): the file the analyst opened is
 * streamed with the session token, the analyst's column mapping reaches the server as
 * overrides and is the one the rows are read with, and bad rows come back per line.
 */
let database: TestDatabase
let app: RunningApp
let root: string
let core: Core

// Header names the server's auto-detection does not know: only the analyst's mapping makes the file readable.
const HEADERS = 'ref,booked,payer,shop,gross,cur'
const MAPPING = { txId: 0, timestamp: 1, accountId: 2, merchantId: 3, amount: 4, currency: 5 }

function writeCsv(name: string, rows: number, badAt: number[]): { path: string; badLines: number[]; lines: string[] } {
  const { text, badLines } = generatedCsv({ rows, seed: 21, badAt })
  const lines = text.trimEnd().split('\n').slice(1)
  const path = join(root, name)
  writeFileSync(path, `${HEADERS}\n${lines.join('\n')}\n`)
  return { path, badLines, lines }
}

beforeAll(async () => {
  database = await createTestDatabase()
  root = mkdtempSync(join(tmpdir(), 'anomalyze-upload-'))
  // 1 MB upload limit, so the size refusal is cheap to provoke.
  app = await startApp(loadEnv({ DATABASE_URL: database.url, ANOMALYZE_DATA_DIR: join(root, 'server'), PORT: '0', BATCH_MAX_UPLOAD_MB: '1' }), testLogger)
  core = createCore({ dataDir: join(root, 'desktop') })
})
afterAll(async () => {
  await core?.close()
  await app?.stop()
  await database?.drop()
  if (root !== undefined) rmSync(root, { recursive: true, force: true })
})

describe('upload as batch job, console core to the real server', () => {
  it('refuses before sending anything when the console is not signed in', async () => {
    const { path } = writeCsv('early.csv', 10, [])
    core.allowPath(path, 'read') // as Electron's open dialog does
    const result = await core.handlers['scoring.uploadBatch']({ source: { path }, mapping: MAPPING })
    expect(result.error).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringContaining('Nothing was sent') })
    expect(await app.db.batchJob.count()).toBe(0)
  })

  it('streams the file with the mapping applied: good rows stored, the bad row reported by line and field', async () => {
    const token = app.localToken as string
    expect((await core.handlers['session.signIn']({ serverUrl: app.url, token })).error).toBeUndefined()
    const { path, badLines, lines } = writeCsv('week-12.csv', 400, [37])
    expect(badLines).toEqual([38])

    core.allowPath(path, 'read') // as Electron's open dialog does
    const uploaded = await core.handlers['scoring.uploadBatch']({ source: { path }, mapping: MAPPING, fileName: 'week 12 card txns.csv' })
    expect(uploaded.error).toBeUndefined()
    const job = uploaded.data
    if (job === undefined) throw new Error('no job')
    expect(job).toMatchObject({ status: 'QUEUED', fileName: 'week 12 card txns.csv', totalRows: 400, sizeBytes: readFileSync(path).length, serverUrl: app.url })
    expect((await core.handlers['scoring.uploadProgress']({})).data).toBeNull()
    expect(job.map.split(',').sort()).toEqual(['booked=timestamp', 'cur=currency', 'gross=amount', 'payer=accountId', 'ref=txId', 'shop=merchantId'])

    // The server's worker reads it (pg-boss on the test database); bounded wait.
    let done: Record<string, unknown> | undefined
    for (let i = 0; i < 240 && done === undefined; i += 1) {
      const got = await core.handlers['server.call']({ type: 'query', path: 'batchJobs.get', input: { id: job.id } })
      const row = got.data as { status: string } | undefined
      if (row?.status === 'COMPLETED' || row?.status === 'FAILED') done = row as Record<string, unknown>
      else await new Promise((resolve) => setTimeout(resolve, 250))
    }
    expect(done).toMatchObject({ status: 'COMPLETED', totalRows: 400, processedRows: 400, acceptedRows: 399, rejectedRows: 1 })
    expect(done?.rowErrors).toEqual([{ line: 38, field: 'amount', message: expect.any(String) }])
    expect((done?.columnMapping as { overrides: Record<string, string> }).overrides).toEqual({
      ref: 'txId',
      booked: 'timestamp',
      payer: 'accountId',
      shop: 'merchantId',
      gross: 'amount',
      cur: 'currency',
    })

    // The rows were read through the analyst's columns: a stored row matches its line.
    const [ref, , payer, shop, gross] = (lines[0] as string).split(',')
    const stored = await app.db.transaction.findFirst({ where: { orgId: LOCAL_USER_ID, txId: ref as string } })
    expect(stored).toMatchObject({ accountId: payer, merchantId: shop, batchJobId: job.id, source: 'BATCH_CSV' })
    expect(stored?.amount.toNumber()).toBeCloseTo(Number(gross), 4)
    expect(await app.db.transaction.count({ where: { orgId: LOCAL_USER_ID, batchJobId: job.id } })).toBe(399)

    // And the console's server jobs list (ServerBatchJobs) now shows it.
    const list = await core.handlers['server.call']({ type: 'query', path: 'batchJobs.list', input: { limit: 20 } })
    expect((list.data as Array<{ id: string }>).map((j) => j.id)).toContain(job.id)
  })

  it('does not send a file the server would read with another mapping', async () => {
    const { path } = writeCsv('odd.csv', 5, [])
    const before = await app.db.batchJob.count()
    // Two fields from one column the server's overrides cannot express.
    core.allowPath(path, 'read') // as Electron's open dialog does
    const result = await core.handlers['scoring.uploadBatch']({ source: { path }, mapping: { ...MAPPING, category: 5 } })
    expect(result.error).toMatchObject({ code: 'BAD_INPUT', details: { field: 'mapping' } })
    expect(result.error?.message).toMatch(/currency: the server would read no column, not column 6 "cur"|category: the server would read no column/)
    expect(await app.db.batchJob.count()).toBe(before)
  })

  it("gets the server's refusal of an over-limit file, not a reset connection", async () => {
    const { path } = writeCsv('big.csv', 40_000, [])
    const size = readFileSync(path).length
    expect(size).toBeGreaterThan(1024 * 1024)
    const before = await app.db.batchJob.count()
    core.allowPath(path, 'read') // as Electron's open dialog does
    const result = await core.handlers['scoring.uploadBatch']({ source: { path }, mapping: MAPPING })
    // The server answers 400 "larger than the 1 MB upload limit"; it reads and discards
    // the rest of the body first, so the console gets that answer, not a reset.
    expect(result.error).toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringContaining('larger than the 1 MB upload limit'),
      details: { limitBytes: 1024 * 1024, httpStatus: 400 },
    })
    expect(await app.db.batchJob.count()).toBe(before)
  })

  it("refuses with the server's word when the stored token is no longer accepted, before sending the file", async () => {
    const { path } = writeCsv('stale.csv', 10, [])
    const stale = createCore({ dataDir: join(root, 'stale-desktop') })
    try {
      expect((await stale.handlers['session.signIn']({ serverUrl: app.url, token: app.localToken as string })).error).toBeUndefined()
      expect((await stale.handlers['session.refreshToken']({ token: 'not-a-valid-token' })).error).toBeUndefined()
      const before = await app.db.batchJob.count()
      stale.allowPath(path, 'read') // as Electron's open dialog does
      const result = await stale.handlers['scoring.uploadBatch']({ source: { path }, mapping: MAPPING })
      expect(result.error).toMatchObject({ code: 'UNAUTHENTICATED' })
      expect(await app.db.batchJob.count()).toBe(before)
    } finally {
      await stale.close()
    }
  })

  it('says the server is unreachable (and that nothing was sent) when it is down', async () => {
    const { path } = writeCsv('offline.csv', 10, [])
    const offline = createCore({ dataDir: join(root, 'offline-desktop') })
    try {
      // Sign in while the server is up, then take a port nobody listens on.
      expect((await offline.handlers['session.signIn']({ serverUrl: app.url, token: app.localToken as string })).error).toBeUndefined()
      offline.store.state.set('serverUrl', 'http://127.0.0.1:9')
      offline.allowPath(path, 'read') // as Electron's open dialog does
      const result = await offline.handlers['scoring.uploadBatch']({ source: { path }, mapping: MAPPING })
      expect(result.error).toMatchObject({ code: 'UNAVAILABLE', message: 'Server unreachable: fetch failed (http://127.0.0.1:9). The file was not sent.' })
    } finally {
      await offline.close()
    }
  })
})
