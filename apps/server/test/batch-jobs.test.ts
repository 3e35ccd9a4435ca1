import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApp, type RunningApp } from '../src/app/start-app.ts'
import type { Db } from '../src/db/prisma.ts'
import { loadEnv } from '../src/env.ts'
import { BATCH_QUEUE, BATCH_SEND_OPTIONS, retryDelaySeconds } from '../src/services/batch/batch-queue.ts'
import { runBatchSlice } from '../src/services/batch/run-batch-job.ts'
import { entitlementsOfPlan } from '../src/services/billing/entitlements.ts'
import { DEFAULT_PLANS } from '../src/services/billing/plans.ts'
import { ensurePersonalWorkspace } from '../src/services/organizations/workspaces.ts'
import { LOCAL_USER_ID } from '../src/auth/local-authenticator.ts'
import { testLogger } from './helpers/silent-logger.ts'
import { createTestServices } from './helpers/test-services.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const HEADER = 'txId,timestamp,amount,currency,accountId,merchantId'

interface Job {
  id: string
  status: string
  totalRows: number | null
  processedRows: number
  acceptedRows: number
  duplicateRows: number
  rejectedRows: number
  progress: number
  failureReason: string | null
  hasErrorsFile: boolean
  rowErrors: { line: number; field: string; message: string }[]
}

const upload = async (url: string, token: string | null, body: string | Buffer, query: string) => {
  const response = await fetch(`${url}/batch-jobs?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  })
  return { status: response.status, body: (await response.json()) as Record<string, any> }
}

const trpcGet = async (url: string, token: string, procedure: string, input: unknown) => {
  const response = await fetch(`${url}/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`, {
    headers: { authorization: `Bearer ${token}` },
  })
  return { status: response.status, body: (await response.json()) as Record<string, any> }
}

/** Polls the job over tRPC until it ends; bounded, and fails with the last state seen. */
const waitForEnd = async (url: string, token: string, id: string, seconds = 90): Promise<Job> => {
  let job: Job | undefined
  for (let i = 0; i < seconds * 4; i += 1) {
    job = (await trpcGet(url, token, 'batchJobs.get', { id })).body.result.data as Job
    if (job.status === 'COMPLETED' || job.status === 'FAILED') return job
    await sleep(250)
  }
  throw new Error(`batch job did not end in ${seconds}s: ${JSON.stringify(job)}`)
}

const row = (i: number, overrides: Partial<Record<'txId' | 'amount' | 'merchantId', string>> = {}): string =>
  [
    overrides.txId ?? `tx-${i}`,
    new Date(Date.UTC(2026, 1, 1) + i * 60_000).toISOString(),
    overrides.amount ?? String(100 + (i % 37)),
    'INR',
    `C${i % 40}`,
    overrides.merchantId ?? `M${i % 9}`,
  ].join(',')

describe('batch CSV jobs over HTTP', () => {
  let database: TestDatabase
  let app: RunningApp
  let token: string

  beforeAll(async () => {
    database = await createTestDatabase()
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'anomalyze-batch-'))
    app = await startApp(
      loadEnv({ DATABASE_URL: database.url, ANOMALYZE_DATA_DIR: dataDir, PORT: '0', JOB_POLL_SECONDS: '0.5', BATCH_MAX_UPLOAD_MB: '1' }),
      testLogger,
    )
    token = app.localToken as string
  })
  afterAll(async () => {
    await app.stop()
    await database.drop()
  })

  it('ingests the good rows, reports broken ones by line and field, counts duplicates', async () => {
    const lines = [HEADER]
    for (let i = 0; i < 60; i += 1) lines.push(row(i))
    lines.push(row(60, { amount: 'ten' })) // line 62
    lines.push(row(61, { merchantId: '' })) // line 63
    lines.push('tx-62,2026-02-01T00:00:00Z,5') // line 64: too few columns
    lines.push(row(3)) // line 65: same txId as line 5
    const uploaded = await upload(app.url, token, `${lines.join('\n')}\n`, 'fileName=february.csv')
    expect(uploaded.status).toBe(202)
    expect(uploaded.body).toMatchObject({ status: 'QUEUED', fileName: 'february.csv', totalRows: 64 })

    const job = await waitForEnd(app.url, token, uploaded.body.id as string)
    expect(job).toMatchObject({ status: 'COMPLETED', totalRows: 64, processedRows: 64, acceptedRows: 60, duplicateRows: 1, rejectedRows: 3, progress: 1 })
    expect(job.rowErrors.map((e) => [e.line, e.field])).toEqual([
      [62, 'amount'],
      [63, 'merchantId'],
      [64, 'row'],
    ])
    expect(job.rowErrors[0]!.message).toMatch(/ten/)
    expect(await app.db.transaction.count({ where: { batchJobId: job.id, source: 'BATCH_CSV' } })).toBe(60)

    // The full list of rejected rows, through the signed download link.
    const link = await trpcGet(app.url, token, 'batchJobs.errorsDownload', { id: job.id })
    expect(link.status).toBe(200)
    const csv = await (await fetch(link.body.result.data.url as string)).text()
    expect(
      csv
        .trim()
        .split('\n')
        .map((l) => l.split(',')[0]),
    ).toEqual(['line', '62', '63', '64'])

    const list = await trpcGet(app.url, token, 'batchJobs.list', {})
    expect(list.body.result.data.map((j: Job) => j.id)).toContain(job.id)
  })

  it('rejects the rows the database refuses instead of retrying the chunk, and keeps every good row', { timeout: 120_000 }, async () => {
    // A row the database refuses even after validation: a trigger raising a data
    // exception (SQLSTATE 22023) for one marker merchant, in this test's database only.
    await app.db.$executeRawUnsafe(`
      CREATE OR REPLACE FUNCTION test_refuse_marker() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW."merchantId" = 'M-REFUSED' THEN RAISE EXCEPTION 'merchant % is refused by a test constraint', NEW."merchantId" USING ERRCODE = '22023'; END IF;
        RETURN NEW;
      END $$`)
    await app.db.$executeRawUnsafe(`CREATE TRIGGER test_refuse_marker BEFORE INSERT ON "Transaction" FOR EACH ROW EXECUTE FUNCTION test_refuse_marker()`)
    // And one refused only at COMMIT, after the job's counters were written in the same transaction.
    await app.db.$executeRawUnsafe(`
      CREATE OR REPLACE FUNCTION test_refuse_late() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW."merchantId" = 'M-LATE' THEN RAISE EXCEPTION 'merchant % is refused at commit', NEW."merchantId" USING ERRCODE = '23514'; END IF;
        RETURN NEW;
      END $$`)
    await app.db.$executeRawUnsafe(
      `CREATE CONSTRAINT TRIGGER test_refuse_late AFTER INSERT ON "Transaction" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_refuse_late()`,
    )
    try {
      const emojiAtCut = `${'c'.repeat(63)}😀 more` // the old 64-unit cut left half of the emoji: the whole chunk failed as bad JSON
      const lines = [`${HEADER},category`]
      for (let i = 0; i < 40; i += 1) {
        // Row 35 is rejected by the file's checks, in the same half as the late refusal.
        const base = row(i, {
          txId: `db-${i}`,
          ...(i === 7 ? { merchantId: 'M-REFUSED' } : i === 31 ? { merchantId: 'M-LATE' } : i === 35 ? { amount: 'ten' } : {}),
        })
        lines.push(`${base},${i === 12 ? emojiAtCut : 'grocery'}`)
      }
      const uploaded = await upload(app.url, token, `${lines.join('\n')}\n`, 'fileName=hostile.csv')
      expect(uploaded.status).toBe(202)
      const job = await waitForEnd(app.url, token, uploaded.body.id as string)
      expect(job).toMatchObject({
        status: 'COMPLETED',
        processedRows: 40,
        acceptedRows: 37,
        duplicateRows: 0,
        rejectedRows: 3,
        failureReason: null,
        hasErrorsFile: true,
      })
      // Lines: the header is line 1, so row i is line i + 2.
      expect(job.rowErrors.map((e) => [e.line, e.field])).toEqual([
        [9, 'row'],
        [33, 'row'],
        [37, 'amount'],
      ])
      expect(job.rowErrors[0]!.message).toBe('could not be stored: merchant M-REFUSED is refused by a test constraint')
      expect(job.rowErrors[1]!.message).toBe('could not be stored: merchant M-LATE is refused at commit')

      const stored = await app.db.transaction.findMany({ where: { batchJobId: job.id }, select: { txId: true, category: true } })
      expect(stored).toHaveLength(37)
      expect(stored.find((t) => t.txId === 'db-12')?.category).toBe('c'.repeat(63))
      expect(stored.map((t) => t.txId)).not.toContain('db-7')
      expect(stored.map((t) => t.txId)).not.toContain('db-31')

      // Never retried as an outage: one attempt of one pg-boss job.
      const attempts = await app.db.$queryRaw<{ retry_count: number }[]>`
        SELECT retry_count FROM pgboss.job WHERE name = 'batch-csv' AND data->>'batchJobId' = ${job.id}`
      expect(attempts).toEqual([{ retry_count: 0 }])

      // The errors file lists the refused rows too.
      const link = await trpcGet(app.url, token, 'batchJobs.errorsDownload', { id: job.id })
      const csv = await (await fetch(link.body.result.data.url as string)).text()
      expect(
        csv
          .trim()
          .split('\n')
          .map((l) => l.split(',')[0]),
      ).toEqual(['line', '37', '9', '33'])
      expect(csv).toContain('could not be stored: merchant M-REFUSED is refused by a test constraint')
    } finally {
      await app.db.$executeRawUnsafe(`DROP TRIGGER test_refuse_marker ON "Transaction"`)
      await app.db.$executeRawUnsafe(`DROP TRIGGER test_refuse_late ON "Transaction"`)
    }
  })

  it('retries an outage (not a data error), saying why on the job meanwhile, and clears the reason once it moves', { timeout: 120_000 }, async () => {
    // A failure that is not about the data (SQLSTATE P0001), until the trigger is dropped.
    await app.db.$executeRawUnsafe(`
      CREATE OR REPLACE FUNCTION test_outage() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'simulated outage'; END $$`)
    await app.db.$executeRawUnsafe(`CREATE TRIGGER test_outage BEFORE INSERT ON "Transaction" FOR EACH ROW EXECUTE FUNCTION test_outage()`)
    let dropped = false
    try {
      const lines = [HEADER]
      for (let i = 0; i < 10; i += 1) lines.push(row(i, { txId: `outage-${i}` }))
      const uploaded = await upload(app.url, token, `${lines.join('\n')}\n`, 'fileName=outage.csv')
      let seen: Job | undefined
      for (let i = 0; i < 120 && !seen?.failureReason; i += 1) {
        await sleep(250)
        seen = (await trpcGet(app.url, token, 'batchJobs.get', { id: uploaded.body.id })).body.result.data as Job
      }
      expect(seen).toMatchObject({ status: 'PROCESSING', processedRows: 0 })
      expect(seen!.failureReason).toMatch(/^Attempt 1 of 11 failed \(simulated outage\); retrying automatically within \d+ s\.$/)
      await app.db.$executeRawUnsafe(`DROP TRIGGER test_outage ON "Transaction"`)
      dropped = true
      const job = await waitForEnd(app.url, token, uploaded.body.id as string)
      expect(job).toMatchObject({ status: 'COMPLETED', acceptedRows: 10, failureReason: null })
    } finally {
      if (!dropped) await app.db.$executeRawUnsafe(`DROP TRIGGER test_outage ON "Transaction"`)
    }
  })

  it('maps columns given at upload over auto-detection', async () => {
    const csv = ['ref,when,value,cust,shop', 'r-1,2026-03-01T10:00:00Z,10,C1,M1', 'r-2,2026-03-01T11:00:00Z,12,C1,M2'].join('\n')
    const uploaded = await upload(app.url, token, csv, 'fileName=mapped.csv&map=ref=txId,when=timestamp,cust=accountId,shop=merchantId')
    expect(uploaded.status).toBe(202)
    const job = await waitForEnd(app.url, token, uploaded.body.id as string)
    expect(job).toMatchObject({ status: 'COMPLETED', acceptedRows: 2, rejectedRows: 0, hasErrorsFile: false })
    expect(await app.db.transaction.count({ where: { batchJobId: job.id, txId: { in: ['r-1', 'r-2'] } } })).toBe(2)
  })

  it('fails a job whose file is unusable, saying why', async () => {
    const noColumns = await upload(app.url, token, 'colour,size\nred,3\n', 'fileName=shapes.csv')
    const failed = await waitForEnd(app.url, token, noColumns.body.id as string)
    expect(failed.status).toBe('FAILED')
    expect(failed.failureReason).toMatch(/cannot use this file's columns: missing required column for amount/)

    const binary = Buffer.concat([Buffer.from('txId,amount\n'), Buffer.alloc(64, 0)])
    const notCsv = await upload(app.url, token, binary, 'fileName=photo.csv')
    expect((await waitForEnd(app.url, token, notCsv.body.id as string)).failureReason).toMatch(/not a CSV file/)
  })

  it('refuses bad uploads with a precise error before queuing anything', async () => {
    const before = await app.db.batchJob.count()
    const noName = await upload(app.url, token, `${HEADER}\n${row(1)}\n`, 'map=')
    expect(noName).toMatchObject({ status: 400, body: { error: { code: 'BAD_INPUT', details: { field: 'fileName' } } } })
    const badMap = await upload(app.url, token, `${HEADER}\n${row(1)}\n`, 'fileName=a.csv&map=amt=amountt')
    expect(badMap.status).toBe(400)
    expect(badMap.body.error.message).toMatch(/unknown field "amountt"/)
    const headerOnly = await upload(app.url, token, `${HEADER}\n`, 'fileName=a.csv')
    expect(headerOnly.body.error.message).toMatch(/no data rows/)
    const tooLarge = await upload(app.url, token, Buffer.alloc(1_100_000, 'a'), 'fileName=big.csv')
    expect(tooLarge.status).toBe(400)
    expect(tooLarge.body.error.message).toMatch(/larger than the 1 MB upload limit/)
    expect((await upload(app.url, null, `${HEADER}\n${row(1)}\n`, 'fileName=a.csv')).status).toBe(401)
    expect((await upload(app.url, 'sk_live_nope_nope', `${HEADER}\n${row(1)}\n`, 'fileName=a.csv')).status).toBe(401)
    expect(await app.db.batchJob.count()).toBe(before)
  })

  it('keeps nothing when the client disconnects mid-upload', async () => {
    const before = await app.db.batchJob.count()
    const request = http.request(`${app.url}/batch-jobs?fileName=cut.csv`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv', 'content-length': '1000000' },
    })
    request.on('error', () => {})
    request.write(`${HEADER}\n${row(1)}\n${row(2)}\n`)
    await sleep(300)
    request.destroy()
    // The server is still answering, and neither a job nor a stored file (not even a partial one) is left.
    const strayFiles = async (): Promise<string[]> => {
      const jobs = await app.db.batchJob.findMany({ select: { r2Key: true, rowErrorsKey: true } })
      const known = new Set(jobs.flatMap((j) => [j.r2Key, j.rowErrorsKey]))
      return (await listFiles(path.join(app.dataDir, 'objects'))).filter((f) => !known.has(f))
    }
    for (let i = 0; i < 20 && (await strayFiles()).length > 0; i += 1) await sleep(250)
    expect(await strayFiles()).toEqual([])
    expect(await app.db.batchJob.count()).toBe(before)
    expect((await fetch(`${app.url}/health`)).status).toBe(200)
  })

  it('accepts API keys with ingest:write only', async () => {
    const create = async (scopes: string[]) => {
      const response = await fetch(`${app.url}/trpc/apiKeys.create`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: scopes.join(' '), scopes }),
      })
      return ((await response.json()) as { result: { data: { secret: string } } }).result.data.secret
    }
    const readOnly = await upload(app.url, await create(['anomalies:read']), `${HEADER}\n${row(900)}\n`, 'fileName=a.csv')
    expect(readOnly).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } })
    const writer = await create(['ingest:write'])
    const uploaded = await upload(app.url, writer, `${HEADER}\n${row(901)}\n`, 'fileName=by-key.csv')
    expect(uploaded.status).toBe(202)
    const job = await waitForEnd(app.url, writer, uploaded.body.id as string)
    expect(job.acceptedRows).toBe(1)
    // Batch rows are metered on the uploading key, like real-time ones.
    const usage = await app.db.apiKeyUsage.findFirst({ where: { apiKey: { name: 'ingest:write' } } })
    expect(usage?.transactions).toBe(1)
  })
})

describe('batch job retries', () => {
  it('give up within about half an hour of backoff, on every job sent', () => {
    const limit = BATCH_SEND_OPTIONS.retryLimit
    expect(BATCH_QUEUE.options.retryLimit).toBe(limit)
    // pg-boss waits between half and all of retryDelaySeconds after each failure.
    const longest = Array.from({ length: limit }, (_, k) => retryDelaySeconds(k)).reduce((a, b) => a + b, 0)
    expect(longest).toBeLessThanOrEqual(35 * 60)
    expect(longest / 2).toBeGreaterThanOrEqual(10 * 60)
  })
})

describe('batch job resume after a killed server', () => {
  let database: TestDatabase
  let dataDir: string
  let child: ChildProcess | undefined
  let app: RunningApp | undefined

  beforeAll(async () => {
    database = await createTestDatabase()
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'anomalyze-batch-resume-'))
  })
  afterAll(async () => {
    child?.kill('SIGKILL')
    await app?.stop()
    await database.drop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('resumes from the committed line with exact counts and no duplicate rows', { timeout: 240_000 }, async () => {
    // 12,000 rows in chunks of 250: the server is killed (SIGKILL, no shutdown) after
    // a few chunks are committed. Every 500th row repeats an earlier txId, every 733rd is broken.
    const ROWS = 12_000
    const lines = [HEADER]
    let duplicates = 0
    let rejected = 0
    for (let i = 0; i < ROWS; i += 1) {
      if (i > 0 && i % 500 === 0) {
        lines.push(row(i, { txId: `tx-${i - 7}` }))
        duplicates += 1
      } else if (i % 733 === 5) {
        lines.push(row(i, { amount: '-4' }))
        rejected += 1
      } else lines.push(row(i))
    }
    const accepted = ROWS - duplicates - rejected

    child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/start.ts', '--no-seed'], {
      cwd: serverDir,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: os.tmpdir(),
        DATABASE_URL: database.url,
        ANOMALYZE_DATA_DIR: dataDir,
        PORT: '0',
        LOG_LEVEL: 'silent',
        JOB_POLL_SECONDS: '0.5',
        BATCH_CHUNK_ROWS: '250',
      },
      stdio: 'ignore',
    })
    const sessionFile = path.join(dataDir, 'local-session.json')
    for (let i = 0; i < 240 && !existsSync(sessionFile); i += 1) await sleep(250)
    const session = JSON.parse(readFileSync(sessionFile, 'utf8')) as { serverUrl: string; token: string }
    // Sessions count against the plan's monthly quota too: 12,000 rows need more than Free's 10,000.
    await ensurePersonalWorkspace(database.db, { id: LOCAL_USER_ID, name: 'Local analyst' })
    const pro = DEFAULT_PLANS[1]
    await database.db.subscription.create({ data: { orgId: LOCAL_USER_ID, planId: pro.id, status: 'ACTIVE', features: entitlementsOfPlan(pro) } })

    const uploaded = await upload(session.serverUrl, session.token, `${lines.join('\n')}\n`, 'fileName=big.csv')
    expect(uploaded.status).toBe(202)
    const id = uploaded.body.id as string

    let atKill: { committedLines: number; processedRows: number } | null = null
    for (let i = 0; i < 600; i += 1) {
      const state = await database.db.batchJob.findUniqueOrThrow({ where: { id } })
      if (state.processedRows >= 750) {
        child.kill('SIGKILL')
        atKill = state
        break
      }
      await sleep(100)
    }
    expect(atKill).not.toBeNull()
    await new Promise((resolve) => child!.once('exit', resolve))
    const afterKill = await database.db.batchJob.findUniqueOrThrow({ where: { id } })
    expect(afterKill.status).toBe('PROCESSING')
    expect(afterKill.processedRows).toBeLessThan(ROWS)
    expect(afterKill.committedLines).toBeGreaterThan(1)
    // What was committed is exactly what is stored.
    expect(await countRows(database.db, id)).toBe(afterKill.acceptedRows)

    // A new server on the same database and data dir picks the job up by itself.
    app = await startApp(
      loadEnv({ DATABASE_URL: database.url, ANOMALYZE_DATA_DIR: dataDir, PORT: '0', JOB_POLL_SECONDS: '0.5', BATCH_CHUNK_ROWS: '1000' }),
      testLogger,
    )
    const job = await waitForEnd(app.url, app.localToken as string, id, 180)
    expect(job).toMatchObject({
      status: 'COMPLETED',
      processedRows: ROWS,
      totalRows: ROWS,
      acceptedRows: accepted,
      duplicateRows: duplicates,
      rejectedRows: rejected,
    })
    expect(await countRows(database.db, id)).toBe(accepted)
    const distinct = await database.db.$queryRaw<{ n: number }[]>`SELECT count(DISTINCT "txId")::int AS n FROM "Transaction" WHERE "batchJobId" = ${id}`
    expect(distinct[0]!.n).toBe(accepted)
    expect(job.rowErrors.every((e) => e.field === 'amount' && (e.line - 2) % 733 === 5)).toBe(true)
  })
})

describe('two workers on one batch job', () => {
  it('commits each chunk once: the slower worker loses its chunk and stops, counts stay exact', { timeout: 120_000 }, async () => {
    const database = await createTestDatabase()
    const services = await createTestServices()
    try {
      await ensurePersonalWorkspace(database.db, { id: 'user_race' })
      const lines = [HEADER]
      for (let i = 0; i < 1_200; i += 1) lines.push(i % 100 === 7 ? row(i, { amount: 'x' }) : row(i))
      const id = randomUUID()
      const key = `users/user_race/batches/${id}.csv`
      await services.storage.put(key, `${lines.join('\n')}\n`)
      await database.db.batchJob.create({
        data: { id, orgId: 'user_race', fileName: 'race.csv', r2Key: key, totalRows: 1_200, columnMapping: { overrides: {} } },
      })

      // No advisory lock here: both slices start from committedLines 0 on purpose.
      const deps = { ...services, db: database.db, log: testLogger }
      const data = { batchJobId: id, apiKeyId: null }
      const outcomes = await Promise.all([0, 1].map(() => runBatchSlice(deps, data, { sliceMs: 60_000, chunkRows: 100 })))
      expect(outcomes.sort()).toEqual(['finished', 'gone'])
      const job = await database.db.batchJob.findUniqueOrThrow({ where: { id } })
      expect(job).toMatchObject({ status: 'COMPLETED', processedRows: 1_200, acceptedRows: 1_188, rejectedRows: 12, duplicateRows: 0 })
      expect(await countRows(database.db, id)).toBe(1_188)
    } finally {
      await services.close()
      await database.drop()
    }
  })
})

function countRows(db: Db, batchJobId: string): Promise<number> {
  return db.transaction.count({ where: { batchJobId } })
}

/** Object keys (relative paths) under the local store's folder. */
async function listFiles(root: string): Promise<string[]> {
  if (!existsSync(root)) return []
  const entries = await readdir(root, { recursive: true, withFileTypes: true })
  return entries.filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath, e.name)))
}
