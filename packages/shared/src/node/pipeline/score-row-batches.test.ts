import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FEATURE_NAMES } from '../../detection/features/compute-features.ts'
import { FeatureEngine } from '../../detection/features/feature-engine.ts'
import { evaluateRules } from '../../detection/rules.ts'
import { generateTransactions } from '../../generator/generate-transactions.ts'
import { readTransactionBatches, type CsvRow } from '../csv/read-transactions-csv.ts'
import { loadDefaultModel } from '../default-model.ts'
import { loadModelArtifact, type LoadedModel } from '../model-artifact.ts'
import { gatherRows, isAlert, scoreRowBatches, type ScoredChunk } from './score-row-batches.ts'

let inThread: LoadedModel
let worker: LoadedModel
let csv = ''
const BAD_LINES = [5, 1_200]

beforeAll(async () => {
  inThread = await loadDefaultModel()
  worker = await loadModelArtifact(inThread.dir, { worker: true })
  const lines = ['TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT']
  for (const { transaction: t } of generateTransactions({ seed: 9, customers: 200, terminals: 200, days: 30 })) {
    if (lines.length > 3_000) break
    const line = lines.length + 1
    const amount = BAD_LINES.includes(line) ? 'n/a' : t.amount.toFixed(2)
    lines.push(`${t.txId},${new Date(t.timestamp).toISOString().slice(0, 19).replace('T', ' ')},${t.accountId},${t.merchantId},${amount}`)
  }
  if (lines.length <= 3_000) throw new Error(`the generator gave only ${lines.length - 1} rows`)
  csv = `${lines.join('\n')}\n`
})

afterAll(async () => {
  await inThread.scorer.close()
  await worker.scorer.close()
})

/** Small input batches, so the pipeline has many chunks in flight over the file. */
async function* smallBatches(size: number): AsyncGenerator<CsvRow[]> {
  for await (const batch of readTransactionBatches(Readable.from([csv]))) {
    for (let i = 0; i < batch.length; i += size) yield batch.slice(i, i + size)
  }
}

async function collect(model: LoadedModel, size: number): Promise<ScoredChunk[]> {
  const chunks: ScoredChunk[] = []
  for await (const chunk of scoreRowBatches(smallBatches(size), { model })) chunks.push(chunk)
  return chunks
}

describe('scoreRowBatches', () => {
  it('scores every good row in file order, the same as scoring the rows one batch at a time without overlap', async () => {
    const chunks = await collect(worker, 250)
    expect(chunks.map((c) => c.rowCount)).toEqual(Array.from({ length: 12 }, () => 250))
    const scored = chunks.flatMap((c) => c.scored)
    expect(chunks.flatMap((c) => c.rejected).map((r) => [r.line, r.errors[0]?.field])).toEqual(BAD_LINES.map((l) => [l, 'amount']))
    expect(scored).toHaveLength(3_000 - BAD_LINES.length)
    expect(scored.map((s) => s.line)).toEqual(Array.from({ length: 3_000 }, (_, i) => i + 2).filter((l) => !BAD_LINES.includes(l)))

    // Reference: features in file order, then the in-thread model on the whole file at once.
    const width = FEATURE_NAMES.length
    const engine = new FeatureEngine(inThread.model.featureConfig)
    const features = new Float32Array(scored.length * width)
    scored.forEach((s, i) => engine.process(s.transaction, features, i * width))
    const reference = await inThread.scorer.score(features, scored.length)
    expect(scored.map((s) => [s.score.score, s.score.severity])).toEqual(reference.map((r) => [r.score, r.severity]))
    expect(scored.map((s) => s.rules)).toEqual(scored.map((_, i) => evaluateRules(features, undefined, i * width)))
    // Explanations from MEDIUM up only (the default), and alerts as the server keeps them.
    expect(scored.every((s) => (s.explanation !== null) === (s.score.severity !== 'LOW'))).toBe(true)
    expect(scored.some((s) => isAlert(s.score, s.rules))).toBe(true)
    expect(scored.filter((s) => isAlert(s.score, s.rules)).every((s) => s.score.severity !== 'LOW' || s.rules.length > 0)).toBe(true)
  })

  it('gives the same results with the model in this thread, and with one big batch', async () => {
    const pipelined = (await collect(worker, 250)).flatMap((c) => c.scored.map((s) => [s.line, s.score.score, s.rules.join(';')]))
    expect((await collect(inThread, 3_000)).flatMap((c) => c.scored.map((s) => [s.line, s.score.score, s.rules.join(';')]))).toEqual(pipelined)
  })

  it('lets the caller stop early: the batch still being scored is dropped quietly', async () => {
    let chunks = 0
    for await (const chunk of scoreRowBatches(smallBatches(100), { model: worker, explainFrom: null })) {
      chunks += 1
      expect(chunk.scored.every((s) => s.explanation === null)).toBe(true)
      if (chunks === 2) break
    }
    expect(chunks).toBe(2)
    // The worker is still usable afterwards (the dropped batch's reply was consumed).
    expect(await worker.scorer.score(new Float32Array(FEATURE_NAMES.length), 1)).toHaveLength(1)
  })

  it('gathers small reads into batches of at least the given size, in order', async () => {
    async function* pieces(): AsyncGenerator<number[]> {
      for (let i = 0; i < 10; i += 1) yield [i * 3, i * 3 + 1, i * 3 + 2]
      yield []
    }
    const gathered: number[][] = []
    for await (const batch of gatherRows(pieces(), 7)) gathered.push(batch)
    expect(gathered.map((b) => b.length)).toEqual([9, 9, 9, 3])
    expect(gathered.flat()).toEqual(Array.from({ length: 30 }, (_, i) => i))
  })
})
