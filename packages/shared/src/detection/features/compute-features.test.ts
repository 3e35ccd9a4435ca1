import { describe, expect, it } from 'vitest'
import { generateTransactions } from '../../generator/generate-transactions.ts'
import type { TTransaction } from '../../transactions/transaction-input.ts'
import { applyLabel, computeFeatures, DEFAULT_FEATURE_CONFIG, FEATURE_NAMES, type FeatureName } from './compute-features.ts'
import { FeatureEngine } from './feature-engine.ts'
import type { AccountState, MerchantState } from './feature-state.ts'

const DAY = 86_400_000
const T0 = Date.UTC(2024, 0, 1) // a Monday
const tx = (id: number, dayOffsetMs: number, amount: number, merchantId = 'M1', accountId = 'A1'): TTransaction => ({
  txId: `t${id}`,
  timestamp: T0 + dayOffsetMs,
  amount,
  currency: 'INR',
  accountId,
  merchantId,
})
const pick = (features: Float32Array, name: FeatureName): number => features[FEATURE_NAMES.indexOf(name)] as number

describe('computeFeatures', () => {
  it('computes windows, history and merchant novelty by hand-checkable values', () => {
    let account: AccountState | undefined
    let merchant: MerchantState | undefined
    const history = [tx(1, 0, 10), tx(2, 2 * DAY, 20), tx(3, 6 * DAY + 3_600_000, 30)]
    for (const t of history) ({ account, merchant } = computeFeatures(t, account, merchant))
    // Saturday 6 Jan 2024, 02:30 UTC, at a new merchant.
    const result = computeFeatures(tx(4, 5 * DAY + 9_000_000, 100, 'M2'), account, undefined)
    const f = result.features
    expect(pick(f, 'hour_of_day')).toBe(2)
    expect(pick(f, 'is_weekend')).toBe(1)
    expect(pick(f, 'is_night')).toBe(1)
    expect(pick(f, 'acct_count_1d')).toBe(1) // the out-of-order day-5 event alone on its day
    expect(pick(f, 'acct_count_7d')).toBe(3) // days 0..5 seen from day 5; day 6 is later
    expect(pick(f, 'acct_avg_amount_7d')).toBeCloseTo(130 / 3, 4)
    expect(pick(f, 'acct_mean_amount')).toBeCloseTo(20, 5)
    expect(pick(f, 'acct_amount_ratio')).toBeCloseTo(5, 5)
    expect(pick(f, 'acct_amount_zscore')).toBeCloseTo(80 / Math.sqrt(200 / 3), 4)
    expect(pick(f, 'acct_hours_since_last')).toBe(0) // older than the newest: clamped
    expect(pick(f, 'acct_history_count')).toBe(3)
    expect(pick(f, 'acct_new_merchant')).toBe(1)
    expect(pick(f, 'acct_distinct_merchants')).toBe(1)
    expect(pick(f, 'merch_count_30d')).toBe(1)
    expect(result.account.recentMerchants).toEqual(['M1', 'M2'])
  })

  it('does not modify the states it is given and survives a JSON round trip', () => {
    const first = computeFeatures(tx(1, 0, 10), undefined, undefined)
    const snapshot = JSON.stringify([first.account, first.merchant])
    const direct = computeFeatures(tx(2, DAY, 50), first.account, first.merchant)
    expect(JSON.stringify([first.account, first.merchant])).toBe(snapshot)
    const [a, m] = JSON.parse(snapshot) as [AccountState, MerchantState]
    expect(Array.from(computeFeatures(tx(2, DAY, 50), a, m).features)).toEqual(Array.from(direct.features))
  })

  it('uses fraud labels only once they are older than the delay', () => {
    let merchant: MerchantState | undefined
    for (let i = 0; i < 4; i += 1) {
      const r = computeFeatures(tx(i, 0, 10, 'M1', `A${i}`), undefined, merchant)
      merchant = i < 2 ? applyLabel(r.merchant, T0, true) : r.merchant
    }
    const risk = (dayOffset: number): number => pick(computeFeatures(tx(9, dayOffset * DAY, 10, 'M1', 'B'), undefined, merchant).features, 'merch_risk_30d')
    expect(risk(DEFAULT_FEATURE_CONFIG.labelDelayDays)).toBe(0)
    expect(risk(DEFAULT_FEATURE_CONFIG.labelDelayDays + 1)).toBeCloseTo(0.5, 6)
    expect(risk(DEFAULT_FEATURE_CONFIG.labelDelayDays + 40)).toBe(0) // beyond every window
  })

  it('releases a fraud label for the exact-time risk the moment it is older than the delay', () => {
    const r = computeFeatures(tx(1, 10 * 3_600_000, 10, 'M1', 'A0'), undefined, undefined)
    const merchant = applyLabel(r.merchant, T0 + 10 * 3_600_000, true)
    const delay = DEFAULT_FEATURE_CONFIG.labelDelayDays * DAY
    const at = (offset: number): Float32Array => computeFeatures(tx(2, 10 * 3_600_000 + delay + offset, 10, 'M1', 'B'), undefined, merchant).features
    expect(pick(at(-1), 'merch_risk_exact_1d')).toBe(0)
    expect(pick(at(-1), 'merch_hours_since_fraud')).toBe(-1)
    // The one transaction on the days the 1-day window touches is the fraud.
    expect(pick(at(0), 'merch_risk_exact_1d')).toBe(1)
    expect(pick(at(3 * 3_600_000), 'merch_hours_since_fraud')).toBeCloseTo(3, 5)
    // The day buckets only release it at the next day boundary.
    expect(pick(at(0), 'merch_risk_1d')).toBe(0)
    // Withdrawn: gone again.
    applyLabel(merchant, T0 + 10 * 3_600_000, false, DEFAULT_FEATURE_CONFIG, true)
    expect(pick(at(0), 'merch_risk_exact_1d')).toBe(0)
  })

  it("compares the amount with the account's largest of the last 7 days", () => {
    let account: AccountState | undefined
    for (const t of [tx(1, 0, 40), tx(2, DAY, 20), tx(3, 7 * DAY, 10)]) ({ account } = computeFeatures(t, account, undefined))
    // Day 7 sees days 1..7: the 40 of day 0 has left the window.
    expect(pick(computeFeatures(tx(4, 7 * DAY + 60_000, 100), account, undefined).features, 'acct_amount_over_max_7d')).toBeCloseTo(5, 5)
    expect(pick(computeFeatures(tx(5, 0, 100), undefined, undefined).features, 'acct_amount_over_max_7d')).toBe(1)
  })

  it('reads states saved before the exact fraud times and the max column existed', () => {
    const fresh = computeFeatures(tx(1, 0, 40), undefined, undefined)
    const oldAccount = JSON.parse(JSON.stringify(fresh.account)) as AccountState
    oldAccount.buckets.columns.pop()
    delete oldAccount.fraudTimes
    const oldMerchant = JSON.parse(JSON.stringify(fresh.merchant)) as MerchantState
    delete oldMerchant.fraudTimes
    applyLabel(oldMerchant, T0, true)
    const f = computeFeatures(tx(2, 8 * DAY, 80), oldAccount, oldMerchant).features
    expect(pick(f, 'acct_amount_over_max_7d')).toBe(1) // the unknown max counts as none
    expect(pick(f, 'merch_risk_exact_7d')).toBeGreaterThan(0)
  })

  it('keeps state bounded however long the history', () => {
    const engine = new FeatureEngine()
    for (let i = 0; i < 3000; i += 1) engine.process(tx(i, i * 3_600_000, 10, `M${i}`))
    const state = engine.accounts.get('A1')
    expect(state?.recentMerchants.length).toBe(DEFAULT_FEATURE_CONFIG.recentMerchantsCap)
    expect(state?.buckets.days.length).toBeLessThanOrEqual(40)
    expect(JSON.stringify(state).length).toBeLessThan(4000)
  })

  it('gives numeric ids (looked up by index) the same features as any other ids, and keeps "042" apart from "42"', () => {
    const generated = [...generateTransactions({ seed: 11, customers: 80, terminals: 60, days: 20 })]
    const byIndex = new FeatureEngine()
    const byMap = new FeatureEngine()
    for (const g of generated) {
      const t = g.transaction
      const numeric = { ...t, accountId: String(Number(t.accountId.replace(/\D/g, ''))), merchantId: String(Number(t.merchantId.replace(/\D/g, ''))) }
      const named = { ...numeric, accountId: `card-${numeric.accountId}`, merchantId: `term-${numeric.merchantId}` }
      expect(Array.from(byIndex.process(numeric))).toEqual(Array.from(byMap.process(named)))
      if (g.isFraud) {
        byIndex.label(numeric, true)
        byMap.label(named, true)
      }
    }
    expect(byIndex.accounts.size).toBe(byMap.accounts.size)
    const engine = new FeatureEngine()
    engine.process(tx(1, 0, 10, '42', '7'))
    const padded = engine.process(tx(2, 60_000, 10, '042', '7'))
    expect(pick(padded, 'acct_new_merchant')).toBe(1)
    expect([...engine.merchants.keys()].sort()).toEqual(['042', '42'])
  })

  it('gives the same golden values on a generated set every time', () => {
    const engine = new FeatureEngine()
    const sums = new Float64Array(FEATURE_NAMES.length)
    let rows = 0
    for (const g of generateTransactions({ seed: 7, customers: 300, terminals: 100, days: 30 })) {
      const f = engine.process(g.transaction)
      if (g.isFraud) engine.label(g.transaction, true)
      f.forEach((v, i) => (sums[i] = (sums[i] as number) + v))
      rows += 1
    }
    const rounded = Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, Math.round(((sums[i] as number) / rows) * 1e4) / 1e4]))
    expect(sums[FEATURE_NAMES.indexOf('merch_known_fraud_30d')]).toBeGreaterThan(0)
    expect({ rows, ...rounded }).toMatchInlineSnapshot(`
      {
        "acct_amount_over_max_7d": 0.6416,
        "acct_amount_ratio": 1.0439,
        "acct_amount_zscore": 0.0068,
        "acct_avg_amount_1d": 52.8037,
        "acct_avg_amount_30d": 53.3214,
        "acct_avg_amount_7d": 53.0909,
        "acct_count_1d": 2.2926,
        "acct_count_30d": 40.237,
        "acct_count_7d": 16.1405,
        "acct_distinct_merchants": 1.4052,
        "acct_history_count": 39.237,
        "acct_hours_since_last": 10.6018,
        "acct_known_fraud_30d": 0.072,
        "acct_mean_amount": 52.4798,
        "acct_new_merchant": 0.0229,
        "amount": 52.9292,
        "hour_of_day": 11.5991,
        "is_night": 0.124,
        "is_weekend": 0.2658,
        "merch_amount_ratio": 0.9932,
        "merch_count_1d": 3.949,
        "merch_count_30d": 89.6744,
        "merch_count_7d": 35.2285,
        "merch_hours_since_fraud": -0.0715,
        "merch_known_fraud_30d": 0.0702,
        "merch_risk_1d": 0.0029,
        "merch_risk_30d": 0.0019,
        "merch_risk_7d": 0.0026,
        "merch_risk_exact_1d": 0.0017,
        "merch_risk_exact_30d": 0.0019,
        "merch_risk_exact_7d": 0.0023,
        "rows": 9621,
      }
    `)
  })
})
