import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { profileFeatures, FEATURE_NAMES, createRandom } from '@anomalyze/shared/engine'
import { csvRecords, loadDefaultModel, type LoadedModel } from '@anomalyze/shared/node'
import { createRowConverter, resolveColumnMapping } from '@anomalyze/shared/engine'
import { openLocalStore } from '../store/local-store.ts'
import { createScoringService, type ScoringService } from './scoring-service.ts'
import { collectAllRows } from './file-rows-collector.ts'
import { checkBatchDomain } from './batch-domain.ts'
import { generatedCsv } from '../../../test/support/generated-csv.ts'

let dir: string
let loaded: LoadedModel

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'anomalyze-file-fit-'))
  loaded = await loadDefaultModel()
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** The engine's features of a CSV text's good rows, as the core collects them while scoring. */
async function collect(text: string) {
  const records: { values: string[]; line: number; raw: string }[] = []
  for await (const chunk of csvRecords([Buffer.from(text)])) for (const r of chunk) records.push({ values: r.values, line: r.line, raw: r.raw })
  const [header, ...rows] = records
  const mapping = resolveColumnMapping(header?.values ?? []).mapping
  const convert = createRowConverter(mapping, header?.values.length ?? 0)
  const collector = collectAllRows(loaded.model.featureConfig, 1_000_000)
  collector.add(rows.map((r) => ({ ...r, result: convert(r.values, r.line) })))
  return { rows: collector.result(), mapping }
}

/** A card file like the generated training data, with amounts and times moved by `shift`. */
function cardFile(seed: number, shift: (amount: number, ts: string) => [number, string]): string {
  const { text } = generatedCsv({ rows: 3_000, seed })
  return text
    .split('\n')
    .map((line, i) => {
      if (i === 0 || line === '') return line
      const cells = line.split(',')
      const [amount, ts] = shift(Number(cells[4]), cells[1] as string)
      cells[4] = amount.toFixed(2)
      cells[1] = ts
      return cells.join(',')
    })
    .join('\n')
}

describe('domain check of a scored file', () => {
  it('says a file like the training data is similar and a shifted one is not, naming the amount', async () => {
    const training = await collect(cardFile(1, (a, t) => [a, t]))
    const profile = profileFeatures(training.rows.features, FEATURE_NAMES.length, FEATURE_NAMES)
    const like = await collect(cardFile(2, (a, t) => [a, t]))
    const likeCheck = checkBatchDomain(profile, 'test', like.rows, like.mapping)
    expect(likeCheck).toMatchObject({ available: true, verdict: 'similar' })
    // Amounts fifty times larger, every payment at 03:xx.
    const shifted = await collect(cardFile(3, (a, t) => [a * 50, `${t.slice(0, 11)}03${t.slice(13)}`]))
    const check = checkBatchDomain(profile, 'test', shifted.rows, shifted.mapping)
    expect(check.available).toBe(true)
    if (!check.available) return
    expect(check.verdict).not.toBe('similar')
    expect(check.features.find((f) => f.feature === 'amount')?.note).toMatch(/training/)
    expect(check.summary).toMatch(/amount/)
  })

  it('says the check is unavailable for a model without a training profile', async () => {
    const file = await collect(cardFile(4, (a, t) => [a, t]))
    expect(checkBatchDomain(undefined, 'default@1.0.0', file.rows, file.mapping)).toEqual({
      available: false,
      reason: expect.stringContaining('default@1.0.0 carries no profile'),
    })
  })
})

describe('scoring with a model fitted on the file', () => {
  let scoring: ScoringService
  let store: ReturnType<typeof openLocalStore>
  beforeAll(() => {
    store = openLocalStore(':memory:')
    scoring = createScoringService({ store, uploadsDir: join(dir, 'uploads'), exportsDir: join(dir, 'exports') })
  })
  afterAll(() => scoring.close())

  it('ranks a planted balance-draining pattern into the queue, keeps no currency invented, and replaces the batch', async () => {
    // Mobile-money rows without a currency column; 30 planted rows empty the account by more than the amount says.
    const random = createRandom(7)
    const lines = ['step,type,amount,nameOrig,oldbalanceOrg,newbalanceOrig,nameDest,isFraud']
    const planted = new Set<number>()
    for (let i = 0; i < 3_000; i += 1) {
      const fraud = i % 100 === 50
      const before = 1_000 + random.next() * 50_000
      const amount = fraud ? before * 0.2 : 10 + random.next() * 500
      const after = fraud ? 0 : before - amount
      if (fraud) planted.add(i + 2)
      lines.push(`${1 + Math.floor(i / 100)},PAYMENT,${amount.toFixed(2)},C${i % 400},${before.toFixed(2)},${after.toFixed(2)},M${i % 37},${fraud ? 1 : 0}`)
    }
    const path = join(dir, 'mobile.csv')
    writeFileSync(path, `${lines.join('\n')}\n`)
    scoring.allowPath(path, 'read')
    const inspection = await scoring.inspect({ path })
    expect(inspection.mapping.currency).toBeUndefined()
    expect(inspection.mapping.balanceBefore).toBeDefined()
    const first = await scoring.settled((await scoring.start({ source: { path }, mapping: inspection.mapping })).jobId)
    expect(first.state).toBe('done')
    const batch = scoring.batches().find((b) => b.id === first.batchId)
    expect(batch).toMatchObject({ refittable: true, hasLabels: true, fileModel: null })

    const refit = await scoring.settled((await scoring.refit({ batchId: first.batchId, kind: 'file-forest' })).jobId)
    expect(refit).toMatchObject({ state: 'done', kind: 'file-forest', scored: 3_000 })
    const batches = scoring.batches()
    expect(batches.map((b) => b.id)).toEqual([refit.batchId])
    expect(batches[0]).toMatchObject({ name: 'mobile.csv', fileModel: { kind: 'file-forest', evaluation: null } })
    // The planted rows reach the queue.
    const queued = store.db.prepare<[string], { id: string; currency: string }>('SELECT id, currency FROM anomalies WHERE batch_id = ?').all(refit.batchId)
    const queuedLines = new Set(queued.map((r) => Number(r.id.split(':')[1])))
    // Rows raised by the fitted scores alone (no rule fired) stay near the alert budget's 2% (60), not the whole file.
    const byScore = store.db.prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM anomalies WHERE batch_id = ? AND rules_json = '[]'").get(refit.batchId)
    expect(byScore?.n).toBeGreaterThanOrEqual(30)
    expect(byScore?.n).toBeLessThanOrEqual(120)
    const found = [...planted].filter((line) => queuedLines.has(line)).length
    expect(found).toBeGreaterThanOrEqual(27)
    // No currency column: stored as XXX (shown as unknown), never an invented one.
    expect(new Set(queued.map((r) => r.currency))).toEqual(new Set(['XXX']))
  })
})
