import { AppError, type TTransaction } from '@anomalyze/shared'
import { generateTransactions } from '@anomalyze/shared/engine'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PREVIEW_MAX_THREADS, previewsRunning } from '../src/services/training/preview-on-worker.ts'
import { PREVIEW_MAX_ROWS, previewCandidate } from '../src/services/training/preview-candidate.ts'
import { insertTransactions } from './helpers/bulk-insert-transactions.ts'
import { callerFor } from './helpers/caller.ts'
import { shippedModelUpload } from './helpers/model-uploads.ts'
import { createProAccountWithTraining } from './helpers/pro-account.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'
import { createTestServices, type TestServices } from './helpers/test-services.ts'

/**
 * The candidate preview off the API's event loop, on a history three times the
 * preview's row cap (seeded with SQL, frauds confirmed): while the preview's thread
 * replays the history page by page, this thread's event loop keeps turning and
 * answers another call; the window is the newest PREVIEW_MAX_ROWS rows in the
 * history's order; a thread out of memory or time is a clear UNAVAILABLE error;
 * previews beyond the thread cap are refused, not queued.
 */
const HISTORY_ROWS = 3 * PREVIEW_MAX_ROWS
const HISTORY_DAYS = 30
const PAGE_ROWS = 5_000

async function seedHistory(url: string, orgId: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const customers = Math.ceil((HISTORY_ROWS / (HISTORY_DAYS * 1.9)) * 1.05)
    const generated = generateTransactions({ seed: 24, customers, terminals: customers * 2, days: HISTORY_DAYS, startDate: '2026-03-01', txIdPrefix: 'h' })
    const batch: TTransaction[] = []
    const frauds: string[] = []
    for (const { transaction, isFraud } of generated) {
      batch.push(transaction)
      if (isFraud) frauds.push(transaction.txId)
      if (batch.length === HISTORY_ROWS) break
    }
    expect(batch).toHaveLength(HISTORY_ROWS)
    await insertTransactions(client, orgId, batch)
    await client.query(
      `INSERT INTO "Anomaly" (id, "orgId", "transactionId", score, severity, "ruleViolations", explanation, status, "isFalsePositive", "updatedAt")
       SELECT gen_random_uuid(), $1, t.id, 0.9, 'HIGH', '{}', 'seeded', 'CONFIRMED_FRAUD', false, now()
         FROM "Transaction" t WHERE t."orgId" = $1 AND t."txId" = ANY($2::text[])`,
      [orgId, frauds],
    )
  } finally {
    await client.end()
  }
}

describe('candidate preview off the API thread', () => {
  let database: TestDatabase
  let services: TestServices
  const orgId = 'user_preview_thread'
  let candidateId = ''

  const caller = () => callerFor(database.db, orgId, { name: 'Asha' }, services)
  const preview = (options: Parameters<typeof previewCandidate>[4] = {}) => previewCandidate(database.db, services, orgId, candidateId, options)

  beforeAll(async () => {
    database = await createTestDatabase()
    services = await createTestServices({ databaseUrl: database.url, env: { RETRAIN_AFTER_LABELS: '0' } })
    await createProAccountWithTraining(database.db, services, { id: orgId, name: 'Preview thread' })
    await seedHistory(database.url, orgId)
    // Registered, not activated: the shipped default stays active and 1.0.0 is the candidate.
    await caller().models.register(shippedModelUpload('1.0.0'))
    candidateId = (await caller().models.list()).versions.find((v) => v.version === '1.0.0')!.id
  })
  afterAll(async () => {
    await services?.close()
    await database?.drop()
  })

  it('answers another call and keeps its event loop turning while the preview thread replays the history', async () => {
    const events: string[] = []
    let ticks = 0
    let spinning = true
    // One count per turn of this thread's event loop: a replay on this thread would hold it still.
    const spin = (): void => {
      ticks += 1
      if (spinning) setImmediate(spin)
    }
    setImmediate(spin)
    let answered: Promise<unknown> | null = null
    const ticksAtPage: number[] = []
    try {
      const result = await preview({
        pageRows: PAGE_ROWS,
        worker: {
          onProgress: (replayed) => {
            events.push(`page:${replayed}`)
            ticksAtPage.push(ticks)
            // A request arriving while the history replays: it must be answered before the replay ends.
            answered ??= caller()
              .models.settings()
              .then(() => events.push('answered'))
          },
        },
      })
      events.push('done')
      await answered
      const pages = events.filter((e) => e.startsWith('page:'))
      expect(pages).toHaveLength(HISTORY_ROWS / PAGE_ROWS)
      expect(events.indexOf('answered')).toBeGreaterThan(events.indexOf(pages[0]!))
      expect(events.indexOf('answered')).toBeLessThan(events.indexOf(pages.at(-1)!))
      expect(events.at(-1)).toBe('done')
      // More turns than messages: the loop ran free between the thread's reports, not once per report.
      const turns = ticksAtPage.at(-1)! - ticksAtPage[0]!
      console.log(`[preview-off-thread] ${turns} event-loop turns while ${HISTORY_ROWS - PAGE_ROWS} rows replayed; preview ${result.computedMs} ms`)
      expect(turns).toBeGreaterThan(pages.length)

      // The window: the newest PREVIEW_MAX_ROWS rows in (timestamp, id) order, the whole history replayed.
      expect(result.window).toMatchObject({ transactions: PREVIEW_MAX_ROWS, boundedBy: 'rows', historyReplayed: HISTORY_ROWS })
      const [first] = await database.db.$queryRaw<{ timestamp: Date }[]>`
        SELECT timestamp FROM "Transaction" WHERE "orgId" = ${orgId} ORDER BY timestamp, id OFFSET ${HISTORY_ROWS - PREVIEW_MAX_ROWS} LIMIT 1`
      const latest = await database.db.transaction.aggregate({ where: { orgId }, _max: { timestamp: true } })
      expect(result.window.from).toBe(first!.timestamp.toISOString())
      expect(result.window.to).toBe(latest._max.timestamp!.toISOString())
      expect(result.confirmedFrauds.labelled).toBeGreaterThan(0)
      // The same model on both sides: nothing moves.
      expect(result.movedTotal).toBe(0)
      expect(result.after).toEqual(result.before)
    } finally {
      spinning = false
    }
  })

  it('says the preview ran out of memory when its thread does, and the API keeps answering', async () => {
    const error = await preview({ worker: { limits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 } } }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AppError)
    expect((error as AppError).code).toBe('UNAVAILABLE')
    expect((error as AppError).message).toMatch(/^The preview ran out of memory \(its thread may use 16 MB\) and was stopped; the server kept running\./)
    expect(await caller().models.settings()).toEqual({ autoActivateModels: false })
  })

  it('stops a preview that overruns its time, saying so', async () => {
    const error = await preview({ worker: { timeoutMs: 50 } }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AppError)
    expect((error as AppError).code).toBe('UNAVAILABLE')
    expect((error as AppError).message).toBe('The preview took longer than 50 ms and was stopped; the server kept running.')
  })

  it(`computes at most ${PREVIEW_MAX_THREADS} previews at once and refuses the next through tRPC, naming why`, async () => {
    const running = Array.from({ length: PREVIEW_MAX_THREADS }, () => caller().models.previewCandidate({ modelId: candidateId }))
    // Each call checks access and verifies both artifacts before its thread starts: the
    // next one is refused once both threads run, not merely once both calls were sent.
    await expect.poll(() => previewsRunning(), { timeout: 60_000, interval: 20 }).toBe(PREVIEW_MAX_THREADS)
    await expect(caller().models.previewCandidate({ modelId: candidateId })).rejects.toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      message: `The server is already computing ${PREVIEW_MAX_THREADS} model previews; try again in a few seconds`,
    })
    const results = await Promise.all(running)
    expect(results.map((r) => r.window.transactions)).toEqual(Array.from({ length: PREVIEW_MAX_THREADS }, () => PREVIEW_MAX_ROWS))
    // Once they ended, a preview runs again.
    expect((await caller().models.previewCandidate({ modelId: candidateId, limit: 5 })).window.historyReplayed).toBe(HISTORY_ROWS)
  })
})
