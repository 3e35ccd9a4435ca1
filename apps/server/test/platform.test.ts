import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { text } from 'node:stream/consumers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApp, type RunningApp } from '../src/app/start-app.ts'
import { loadEnv } from '../src/env.ts'
import { defineQueue } from '../src/jobs/job-queue.ts'
import { recordAudit } from '../src/services/audit/record-audit.ts'
import { testLogger } from './helpers/silent-logger.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'
import { ensurePersonalWorkspace } from '../src/services/organizations/workspaces.ts'

/** The parts every feature builds on: job queue, object storage and its links, the audit trail. */
describe('platform services', () => {
  let database: TestDatabase
  let app: RunningApp

  beforeAll(async () => {
    database = await createTestDatabase()
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'anomalyze-platform-'))
    app = await startApp(loadEnv({ DATABASE_URL: database.url, ANOMALYZE_DATA_DIR: dataDir, PORT: '0', JOB_POLL_SECONDS: '0.5' }), testLogger)
  })
  afterAll(async () => {
    await app.stop()
    await database.drop()
  })

  it('runs a job on the Postgres queue and retries it after a failure', async () => {
    const queue = defineQueue<{ value: number }>('platform-test', { retryLimit: 2, retryDelay: 0 })
    const attempts: number[] = []
    const done = new Promise<number>((resolve) => {
      void app.services.jobs.work(queue, async (job) => {
        attempts.push(job.data.value)
        if (attempts.length === 1) throw new Error('first attempt fails on purpose')
        resolve(job.data.value)
      })
    })
    const id = await app.services.jobs.send(queue, { value: 42 })
    expect(id).toEqual(expect.any(String))
    await expect(done).resolves.toBe(42)
    expect(attempts).toEqual([42, 42])
    const stored = await database.db.$queryRaw<{ count: bigint }[]>`SELECT count(*) FROM pgboss.job WHERE name = 'platform-test'`
    expect(Number(stored[0]?.count)).toBe(1)
  })

  it('works queued jobs in batches, retrying only the ones the handler reports as failed', async () => {
    const queue = defineQueue<{ value: number }>('platform-batch-test', { retryLimit: 2, retryDelay: 0 })
    // Sent before the worker starts, so its first fetch finds all of them waiting.
    for (const value of [1, 2, 3, 4]) await app.services.jobs.send(queue, { value })
    const batches: number[][] = []
    const retried = new Promise<void>((resolve) => {
      void app.services.jobs.workBatch(queue, 10, async (jobs) => {
        batches.push(jobs.map((j) => j.data.value).sort())
        if (batches.length > 1) resolve()
        // The first time round, job 3 fails; every other job completes.
        return jobs.filter((j) => j.data.value === 3 && j.retryCount === 0).map((j) => ({ id: j.id, error: new Error('3 fails once') }))
      })
    })
    await retried
    expect(batches).toEqual([[1, 2, 3, 4], [3]])
    await expect
      .poll(
        async () =>
          (
            await database.db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM pgboss.job WHERE name = 'platform-batch-test' AND state = 'completed'`
          )[0]?.n,
      )
      .toBe(4n)
    const states = await database.db.$queryRaw<{ value: number; retry_count: number }[]>`
      SELECT (data->>'value')::int AS value, retry_count FROM pgboss.job WHERE name = 'platform-batch-test'`
    expect(states.find((s) => s.value === 3)?.retry_count).toBe(1)
    expect(states.filter((s) => s.value !== 3).every((s) => s.retry_count === 0)).toBe(true)
  })

  it('stores streamed objects whole and serves them through signed, expiring links', async () => {
    const { storage } = app.services
    const lines = Array.from({ length: 1_000 }, (_, i) => `line ${i}\n`)
    const stored = await storage.put('users/u1/reports/r1.csv', Readable.from(lines))
    expect(stored.size).toBe(lines.join('').length)
    expect(await text(await storage.get('users/u1/reports/r1.csv'))).toBe(lines.join(''))
    await expect(storage.get('users/u1/reports/missing.csv')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(storage.head('../etc/passwd')).rejects.toThrow(/Invalid object key/)

    const link = await storage.downloadUrl('users/u1/reports/r1.csv', { expiresInSeconds: 60, fileName: 'anomalies.csv' })
    expect(link.startsWith(app.url)).toBe(true)
    const response = await fetch(link)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="anomalies.csv"')
    expect(await response.text()).toBe(lines.join(''))

    const tampered = link.replace('r1.csv?', 'r2.csv?')
    expect((await fetch(tampered)).status).toBe(403)
    const expired = await storage.downloadUrl('users/u1/reports/r1.csv', { expiresInSeconds: -1, fileName: 'anomalies.csv' })
    expect((await fetch(expired)).status).toBe(410)
  })

  it('a failed upload leaves nothing under the key', async () => {
    const failing = new Readable({
      read() {
        this.push('half a file')
        this.destroy(new Error('connection dropped'))
      },
    })
    await expect(app.services.storage.put('users/u1/reports/broken.csv', failing)).rejects.toThrow('connection dropped')
    expect(await app.services.storage.head('users/u1/reports/broken.csv')).toBeNull()
  })

  it('keeps the audit log append-only, while deleting an organisation still removes its rows', async () => {
    const { db } = database
    await ensurePersonalWorkspace(db, { id: 'audit-user' })
    await recordAudit(
      db,
      { orgId: 'audit-user', userId: 'audit-user', ip: '127.0.0.1' },
      { action: 'settings.update', entityType: 'NotificationSettings', newData: { a: 1 } },
    )
    await expect(db.auditLog.updateMany({ where: { orgId: 'audit-user' }, data: { action: 'forged' } })).rejects.toThrow(/append-only/)
    await expect(db.auditLog.deleteMany({ where: { orgId: 'audit-user' } })).rejects.toThrow(/append-only/)
    expect(await db.auditLog.count({ where: { orgId: 'audit-user', action: 'settings.update' } })).toBe(1)
    await db.organization.delete({ where: { id: 'audit-user' } })
    expect(await db.auditLog.count({ where: { orgId: 'audit-user' } })).toBe(0)
  })
})
