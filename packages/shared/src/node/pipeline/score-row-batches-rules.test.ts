import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FEATURE_NAMES } from '../../detection/features/compute-features.ts'
import { FeatureEngine } from '../../detection/features/feature-engine.ts'
import { generateTransactions } from '../../generator/generate-transactions.ts'
import { legacyEvaluateRules } from '../../rules/legacy-evaluate-rules.test-helper.ts'
import { compileRuleSet } from '../../rules/rule-set.ts'
import type { RuleLists } from '../../rules/rule-types.ts'
import { readTransactionBatches } from '../csv/read-transactions-csv.ts'
import { loadDefaultModel } from '../default-model.ts'
import type { LoadedModel } from '../model-artifact.ts'
import { isAlert, scoreRowBatches, type ScoredRow, type ScoreRowBatchesOptions } from './score-row-batches.ts'

let model: LoadedModel
let csv = ''

beforeAll(async () => {
  model = await loadDefaultModel()
  const lines = ['TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT']
  for (const { transaction: t } of generateTransactions({ seed: 9, customers: 200, terminals: 200, days: 30 })) {
    if (lines.length > 3_000) break
    lines.push(`${t.txId},${new Date(t.timestamp).toISOString().slice(0, 19).replace('T', ' ')},${t.accountId},${t.merchantId},${t.amount.toFixed(2)}`)
  }
  csv = `${lines.join('\n')}\n`
})

afterAll(async () => {
  await model.scorer.close()
})

async function scoreAll(options: Omit<ScoreRowBatchesOptions, 'model'> = {}): Promise<ScoredRow[]> {
  const rows: ScoredRow[] = []
  for await (const chunk of scoreRowBatches(readTransactionBatches(Readable.from([csv])), { model, ...options })) rows.push(...chunk.scored)
  return rows
}

describe('scoreRowBatches with rule sets', () => {
  it('by default fires what the old hard-coded rules fired and leaves the model score as it was', async () => {
    const rows = await scoreAll()
    const width = FEATURE_NAMES.length
    const engine = new FeatureEngine(model.model.featureConfig)
    const features = new Float32Array(rows.length * width)
    rows.forEach((r, i) => engine.process(r.transaction, features, i * width))
    const reference = await model.scorer.score(features, rows.length)
    expect(rows.map((r) => r.rules)).toEqual(rows.map((_, i) => legacyEvaluateRules(features, undefined, i * width)))
    expect(rows.some((r) => r.rules.length > 0)).toBe(true)
    expect(rows.map((r) => [r.score.score, r.score.severity])).toEqual(reference.map((s) => [s.score, s.severity]))
    expect(rows.every((r) => r.shadowRules.length === 0 && r.suppression === null)).toBe(true)
    expect(rows.map((r) => r.alert)).toEqual(rows.map((r) => isAlert(r.score, r.rules)))
  })

  it('applies boosts and floors, records SHADOW hits without an alert, and suppresses allow-listed accounts', async () => {
    const baseline = await scoreAll()
    // Allow-list the account with the most alerts, so suppression has alerts to suppress.
    const alerts = new Map<string, number>()
    for (const r of baseline) if (r.alert) alerts.set(r.transaction.accountId, (alerts.get(r.transaction.accountId) ?? 0) + 1)
    const busiest = [...alerts].sort((a, b) => b[1] - a[1])[0]?.[0] as string
    const ruleSet = compileRuleSet(
      {
        version: 7,
        rules: [
          { name: 'ANY_AMOUNT', expression: 'amount >= 0', description: '', mode: 'SHADOW', severityFloor: 'CRITICAL', scoreBoost: 1 },
          { name: 'LISTED', expression: 'account_id in list("watch")', description: '', mode: 'ACTIVE', severityFloor: 'HIGH', scoreBoost: 0.01 },
        ],
      },
      [
        { name: 'watch', kind: 'DENY', field: 'account_id' },
        { name: 'trusted', kind: 'ALLOW', field: 'account_id' },
      ],
    )
    const watched = baseline.find((r) => r.transaction.accountId !== busiest)?.transaction.accountId as string
    const lists: RuleLists = {
      values: new Map([['watch', new Set([watched])]]),
      allow: [{ name: 'trusted', field: 'account_id', reasons: new Map([[busiest, 'staff account']]) }],
    }
    const rows = await scoreAll({ ruleSet, lists })
    expect(rows.every((r) => r.shadowRules.join() === 'ANY_AMOUNT')).toBe(true)
    rows.forEach((r, i) => {
      const before = baseline[i] as ScoredRow
      if (r.transaction.accountId === watched) {
        expect(r.rules).toEqual(['LISTED'])
        // Boosted, then raised to the HIGH floor's cut-off when below it.
        expect(r.score.score).toBeCloseTo(Math.max(Math.min(1, before.score.score + 0.01), model.model.thresholds.high), 12)
        expect(['HIGH', 'CRITICAL']).toContain(r.score.severity)
        expect(r.alert).toBe(true)
      } else {
        expect(r.rules).toEqual([])
        expect(r.score).toEqual(before.score)
      }
      if (r.transaction.accountId === busiest) {
        expect(r.suppression).toEqual({ list: 'trusted', field: 'account_id', value: busiest, reason: 'staff account' })
        expect(r.alert).toBe(false)
      } else {
        expect(r.suppression).toBeNull()
      }
    })
    expect(alerts.get(busiest)).toBeGreaterThan(0)
  })
})
