import v8 from 'node:v8'
import vm from 'node:vm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runReport } from '../src/services/reports/run-report.ts'
import { testLogger } from './helpers/silent-logger.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'
import { createTestServices, type TestServices } from './helpers/test-services.ts'
import { insertGeneratedAnomalies } from './reports-fixtures.ts'

/**
 * An anomalies export of many rows keeps memory flat: while the export runs, the live
 * heap (after a forced full GC, so garbage waiting for collection does not count) and
 * the RSS are sampled, and their growth must stay well below the size of the file
 * written: an export that held its rows or its text in memory would exceed it.
 * A memory bound, not a timing assertion. 200,000 rows here (about 50 MB of CSV) keep
 * the run short on 2 cores; REPORTS_STREAM_ROWS=1000000 runs this test on a million,
 * and `pnpm bench:reports` does the million and prints figures.
 */
const ROWS = Number(process.env.REPORTS_STREAM_ROWS ?? 200_000)
const MB = 1024 * 1024
/** Live-heap growth allowed over the baseline: a page or two of rows, with room. */
const HEAP_BOUND = 24 * MB
/** RSS also counts freed memory the allocator keeps; bounded, but more loosely. */
const RSS_BOUND = 128 * MB

// A full GC on demand, without a command-line flag (vitest starts the workers).
v8.setFlagsFromString('--expose-gc')
const fullGc = vm.runInNewContext('gc') as () => void

describe('reports: streaming export', () => {
  let database: TestDatabase
  let services: TestServices
  const USER = 'user_stream'

  beforeAll(async () => {
    database = await createTestDatabase()
    services = await createTestServices()
    await insertGeneratedAnomalies(database.db, USER, ROWS)
  }, 120_000 + ROWS)
  afterAll(async () => {
    await services.close()
    await database.drop()
  })

  it(`exports ${ROWS.toLocaleString('en-US')} anomalies with flat memory`, { timeout: 120_000 + ROWS }, async () => {
    const report = await database.db.report.create({ data: { orgId: USER, type: 'ANOMALIES', format: 'CSV', parameters: { filters: {} } } })
    fullGc()
    const base = process.memoryUsage()
    let peakHeap = base.heapUsed
    let peakRss = base.rss
    let samples = 0
    const sampler = setInterval(() => {
      fullGc()
      const m = process.memoryUsage()
      peakHeap = Math.max(peakHeap, m.heapUsed)
      peakRss = Math.max(peakRss, m.rss)
      samples += 1
    }, 100)
    const outcome = await runReport({ db: database.db, storage: services.storage, log: testLogger }, report.id)
    clearInterval(sampler)

    expect(outcome).toMatchObject({ status: 'COMPLETED', rowCount: ROWS })
    const head = await services.storage.head(`users/${USER}/reports/${report.id}.csv`)
    const fileSize = head?.size ?? 0
    const heapGrowth = peakHeap - base.heapUsed
    const rssGrowth = peakRss - base.rss
    console.info(
      `streaming export: ${ROWS} rows, ${(fileSize / MB).toFixed(1)} MB of CSV, peak live heap +${(heapGrowth / MB).toFixed(1)} MB, peak RSS +${(rssGrowth / MB).toFixed(1)} MB (${samples} samples)`,
    )
    // The bound means something only if holding the file in memory would break it.
    expect(fileSize).toBeGreaterThan(HEAP_BOUND + 16 * MB)
    expect(fileSize).toBeGreaterThan(RSS_BOUND / 4)
    expect(samples).toBeGreaterThan(10)
    expect(heapGrowth).toBeLessThan(HEAP_BOUND)
    expect(rssGrowth).toBeLessThan(RSS_BOUND)
  })
})
