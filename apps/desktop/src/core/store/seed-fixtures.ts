import { type Severity, type TSyncAnomaly } from '@anomalyze/shared'
import { createRandom, generateTransactions } from '@anomalyze/shared/engine'
import type { LocalStore } from './local-store.ts'

/**
 * Fills a local cache with anomalies built from the shared transaction generator, for
 * development, browser tests and the bench until the server's sync is available.
 *
 * These are FIXTURES, not detections: the score is a plain function of the
 * generator's own fraud label and of how far the amount is from the account's mean,
 * and every row says so in its model version and explanation. Real scores come from
 * the server (sync) or the detection engine (offline CSV scoring).
 */
export const FIXTURE_MODEL_VERSION = 'fixture-0'

export interface SeedOptions {
  count: number
  seed?: number
  /** Pages are written through the same path as a real pull. */
  pageSize?: number
}

export function seedFixtureAnomalies(store: LocalStore, options: SeedOptions): number {
  const { count, seed = 7, pageSize = 2_000 } = options
  const random = createRandom(seed)
  const accountMeans = new Map<string, { sum: number; n: number }>()
  let page: TSyncAnomaly[] = []
  let written = 0
  const flush = (last: boolean): void => {
    store.applyPage({ anomalies: page, nextCursor: null, hasMore: !last, total: count, activeModel: null }, Date.now())
    written += page.length
    page = []
  }
  // Enough customers and days that `count` rows come out with realistic account histories.
  const generated = generateTransactions({ seed, customers: Math.max(200, Math.ceil(count / 60)), days: 120, noisyMerchants: 20 })
  for (const { transaction: t, isFraud, scenario } of generated) {
    if (written + page.length >= count) break
    const mean = accountMeans.get(t.accountId) ?? { sum: 0, n: 0 }
    const ratio = mean.n === 0 ? 1 : t.amount / (mean.sum / mean.n)
    accountMeans.set(t.accountId, { sum: mean.sum + t.amount, n: mean.n + 1 })
    const score = Math.min(0.999, Math.max(0.001, (isFraud ? 0.6 : 0.15) + 0.1 * Math.log2(Math.max(ratio, 0.5)) + 0.45 * random.next()))
    const rules: string[] = []
    if (ratio >= 4 && mean.n >= 5) rules.push('AMOUNT_SPIKE')
    if (scenario === 'COMPROMISED_TERMINAL') rules.push('RISKY_TERMINAL')
    if (scenario === 'COMPROMISED_CARD') rules.push('KNOWN_COMPROMISED_ACCOUNT')
    const index = written + page.length
    page.push({
      id: `fx_${String(index).padStart(7, '0')}`,
      transaction: {
        id: `fxt_${t.txId}`,
        txId: t.txId,
        timestamp: t.timestamp,
        amount: t.amount,
        currency: t.currency,
        accountId: t.accountId,
        merchantId: t.merchantId,
        category: t.category ?? null,
        country: t.country ?? null,
        channel: t.channel ?? null,
      },
      score,
      severity: severityFor(score),
      ruleViolations: rules,
      explanation: `Fixture row (generator scenario ${scenario}); amount is ${ratio.toFixed(1)}x the account's running mean.`,
      explanationData: { fixture: true, scenario, amountRatio: ratio },
      modelVersion: FIXTURE_MODEL_VERSION,
      status: 'OPEN',
      isFalsePositive: false,
      latestDecision: null,
      createdAt: t.timestamp,
      updatedAt: t.timestamp,
    })
    if (page.length >= pageSize) flush(false)
  }
  flush(true)
  // Fixtures are not a sync: the status bar must still say "never synced".
  store.state.set('lastSyncedAt', null)
  return written
}

function severityFor(score: number): Severity {
  if (score >= 0.9) return 'CRITICAL'
  if (score >= 0.75) return 'HIGH'
  if (score >= 0.5) return 'MEDIUM'
  return 'LOW'
}
