import { randomUUID } from 'node:crypto'
import { TRPCError } from '@trpc/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError, type TEntityTransaction } from '@anomalyze/shared'
import { applyLabel, computeFeatures, dayOf, FEATURE_INDEX, type AccountState, type FeatureConfig, type MerchantState } from '@anomalyze/shared/engine'
import { loadDefaultModel } from '@anomalyze/shared/node'
import { ensurePersonalWorkspace } from '../src/services/organizations/workspaces.ts'
import { callerFor } from './helpers/caller.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'

/**
 * The entity view against a real Postgres, through the tRPC caller: a small hand-made
 * history (an account at three merchants, neighbours with and without alerts, another
 * organisation with the same ids), every figure of the profile computed here from the
 * rows inserted, the feature values checked against the engine's own feature vector of
 * the latest transaction, and the transaction pages walked with their cursor.
 */
const ORG = 'user_entities'
const OTHER = 'user_entities_other'
const MAIN = 'acct-main'
const BASE = Date.UTC(2026, 0, 1)
const HOUR = 3_600_000

interface Tx {
  id: string
  txId: string
  timestamp: number
  amount: number
  accountId: string
  merchantId: string
  country: string | null
  alert: boolean
}

const merchantOf = (i: number): string => (i % 5 < 3 ? 'M-a' : i % 5 === 3 ? 'M-b' : 'M-c')
const ALERTS_OF_MAIN = new Set([5, 12, 20, 29])

function mainTransactions(): Tx[] {
  return Array.from({ length: 30 }, (_, i) => ({
    id: randomUUID(),
    txId: `main-${i}`,
    // 11 shares 10's timestamp: the keyset must break the tie by id.
    timestamp: BASE + (i === 11 ? 10 : i) * 16 * HOUR,
    amount: 10 + ((i * 37) % 101) + 0.25,
    accountId: MAIN,
    merchantId: merchantOf(i),
    country: i % 4 === 0 ? 'FR' : i % 7 === 0 ? null : 'IN',
    alert: ALERTS_OF_MAIN.has(i),
  }))
}

const tx = (txId: string, hours: number, accountId: string, merchantId: string, alert: boolean, amount = 50): Tx => ({
  id: randomUUID(),
  txId,
  timestamp: BASE + hours * HOUR,
  amount,
  accountId,
  merchantId,
  country: 'IN',
  alert,
})

const neighbours: Tx[] = [
  tx('x-1', 30, 'acct-x', 'M-a', true),
  tx('x-2', 60, 'acct-x', 'M-a', true),
  tx('x-3', 90, 'acct-x', 'M-q', true),
  tx('y-1', 40, 'acct-y', 'M-b', true),
  tx('y-2', 70, 'acct-y', 'M-b', false),
  tx('z-1', 50, 'acct-z', 'M-z', true),
  tx('z-2', 55, 'acct-z', 'M-z', true),
  tx('w-1', 45, 'acct-w', 'M-a', false),
]

/** percentile_cont: linear interpolation between the closest ranks. */
function percentile(sorted: number[], p: number): number {
  const pos = p * (sorted.length - 1)
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo)
}

function countShares(values: (string | null)[], total: number) {
  const counts = new Map<string, number>()
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1)
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([id, count]) => ({ id, count, share: count / total }))
}

async function appErrorOf(call: Promise<unknown>): Promise<{ code: string; field: unknown; message: string }> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(TRPCError)
  const cause = (error as TRPCError).cause
  expect(cause).toBeInstanceOf(AppError)
  return { code: (cause as AppError).code, field: (cause as AppError).details?.field, message: (cause as AppError).message }
}

describe('entities', () => {
  let database: TestDatabase
  const main = mainTransactions()
  const all = [...main, ...neighbours]
  const anomalyOf = new Map<string, string>()
  let config: FeatureConfig
  /** The engine's feature vector of each entity's latest transaction. */
  const lastVector = new Map<string, Float32Array>()
  let openCaseId = ''

  beforeAll(async () => {
    database = await createTestDatabase()
    const { db } = database
    await ensurePersonalWorkspace(db, { id: ORG, name: ORG })
    await ensurePersonalWorkspace(db, { id: OTHER, name: OTHER })
    const row = (t: Tx, orgId: string) => ({
      id: t.id,
      orgId,
      txId: t.txId,
      timestamp: new Date(t.timestamp),
      amount: t.amount,
      currency: 'INR',
      accountId: t.accountId,
      merchantId: t.merchantId,
      country: t.country,
      source: 'REALTIME_API' as const,
    })
    await db.transaction.createMany({ data: all.map((t) => row(t, ORG)) })
    for (const t of all.filter((t) => t.alert)) {
      const anomalyId = randomUUID()
      anomalyOf.set(t.id, anomalyId)
      await db.anomaly.create({
        data: { id: anomalyId, orgId: ORG, transactionId: t.id, score: 0.9, severity: 'HIGH', ruleViolations: [], explanation: 'test' },
      })
    }
    // Decisions: main-12 false positive; main-20 confirmed, then superseded by a false positive.
    const decide = (i: number, label: 'CONFIRMED_FRAUD' | 'FALSE_POSITIVE', decidedAt: number, supersededAt: number | null = null) => ({
      orgId: ORG,
      anomalyId: anomalyOf.get(main[i]!.id)!,
      label,
      decidedBy: 'analyst',
      decidedAt: new Date(decidedAt),
      supersededAt: supersededAt === null ? null : new Date(supersededAt),
      mutationId: randomUUID(),
    })
    await db.anomalyLabel.createMany({
      data: [
        decide(12, 'FALSE_POSITIVE', BASE + 500 * HOUR),
        decide(20, 'CONFIRMED_FRAUD', BASE + 400 * HOUR, BASE + 600 * HOUR),
        decide(20, 'FALSE_POSITIVE', BASE + 600 * HOUR),
      ],
    })

    // Another organisation with the same account id and one of ORG's neighbours' merchants.
    const foreign = [tx('o-1', 10, MAIN, 'M-a', true, 999), tx('o-2', 20, 'acct-o', 'M-b', true, 999)]
    await db.transaction.createMany({ data: foreign.map((t) => row(t, OTHER)) })
    for (const t of foreign) {
      await db.anomaly.create({ data: { orgId: OTHER, transactionId: t.id, score: 0.9, severity: 'HIGH', ruleViolations: [], explanation: 'test' } })
    }

    // Cases of the main account: a closed one, a merged one (still "open") and the open one.
    const aCase = (status: 'OPEN' | 'IN_REVIEW' | 'CLOSED_FRAUD', mergedIntoId: string | null = null) =>
      db.case.create({ data: { orgId: ORG, entityType: 'ACCOUNT', entityId: MAIN, status, priority: 'HIGH', mergedIntoId } })
    await aCase('CLOSED_FRAUD')
    const open = await aCase('IN_REVIEW')
    await aCase('OPEN', open.id)
    openCaseId = open.id
    await db.case.create({ data: { orgId: OTHER, entityType: 'ACCOUNT', entityId: MAIN, status: 'OPEN', priority: 'HIGH' } })

    // Feature state as ingestion keeps it, built with the engine in time order; main-5 is
    // labelled fraud after it was scored (so the known-fraud windows have something).
    config = (await loadDefaultModel()).model.featureConfig
    const accounts = new Map<string, AccountState>()
    const merchants = new Map<string, MerchantState>()
    const ordered = all.map((t, k) => ({ t, k })).sort((a, b) => a.t.timestamp - b.t.timestamp || a.k - b.k)
    for (const { t } of ordered) {
      const result = computeFeatures(
        { txId: t.txId, timestamp: t.timestamp, amount: t.amount, accountId: t.accountId, merchantId: t.merchantId } as never,
        accounts.get(t.accountId),
        merchants.get(t.merchantId),
        config,
      )
      accounts.set(t.accountId, result.account)
      merchants.set(t.merchantId, result.merchant)
      lastVector.set(t.accountId, result.features)
      lastVector.set(t.merchantId, result.features)
      if (t.txId === 'main-5') {
        applyLabel(result.account, t.timestamp, true, config)
        applyLabel(result.merchant, t.timestamp, true, config)
      }
    }
    await db.accountFeatureState.create({ data: { orgId: ORG, accountId: MAIN, state: accounts.get(MAIN) as never } })
    await db.merchantFeatureState.create({ data: { orgId: ORG, merchantId: 'M-a', state: merchants.get('M-a') as never } })
  })
  afterAll(async () => {
    await database.drop()
  })

  const caller = (org = ORG) => callerFor(database.db, org)

  it("profiles an account: counts, amounts, counterparties, countries, its open case, one hop, the model's feature values", async () => {
    const profile = await caller().entities.profile({ type: 'ACCOUNT', id: MAIN })
    const amounts = main.map((t) => t.amount).sort((a, b) => a - b)
    expect(profile.entity).toEqual({ type: 'ACCOUNT', id: MAIN })
    expect(profile.transactionCount).toBe(30)
    expect(profile.alertCount).toBe(ALERTS_OF_MAIN.size)
    expect(profile.firstSeen).toBe(Math.min(...main.map((t) => t.timestamp)))
    expect(profile.lastSeen).toBe(Math.max(...main.map((t) => t.timestamp)))
    expect(profile.openCaseId).toBe(openCaseId)
    const mean = amounts.reduce((s, a) => s + a, 0) / amounts.length
    expect(profile.amount?.mean).toBeCloseTo(mean, 9)
    expect(profile.amount?.median).toBeCloseTo(percentile(amounts, 0.5), 9)
    expect(profile.amount?.p95).toBeCloseTo(percentile(amounts, 0.95), 9)
    expect(profile.amount?.max).toBe(amounts.at(-1))
    expect(profile.counterparties).toEqual(
      countShares(
        main.map((t) => t.merchantId),
        30,
      ),
    )
    expect(profile.countries).toEqual(
      countShares(
        main.map((t) => t.country),
        30,
      ),
    )

    // acct-x has two alerts at M-a (its alert at M-q is no merchant of MAIN's), acct-y one at
    // M-b; acct-z's alerts are elsewhere, acct-w has none, the other organisation is invisible.
    expect(profile.linked).toEqual([
      { type: 'ACCOUNT', id: 'acct-x', alertCount: 2, via: ['M-a'] },
      { type: 'ACCOUNT', id: 'acct-y', alertCount: 1, via: ['M-b'] },
    ])

    const value = (name: string) => profile.features.find((f) => f.name === name)?.value
    const vector = lastVector.get(MAIN)!
    for (const name of ['acct_count_1d', 'acct_avg_amount_1d', 'acct_count_7d', 'acct_avg_amount_7d', 'acct_count_30d', 'acct_avg_amount_30d'] as const) {
      expect(value(name), name).toBeCloseTo(vector[FEATURE_INDEX[name]]!, 3)
    }
    expect(value('acct_known_fraud_30d')).toBe(1)
    expect(value('acct_known_fraud_30d')).toBe(vector[FEATURE_INDEX.acct_known_fraud_30d])
    expect(value('acct_history_count')).toBe(30)
    expect(value('acct_distinct_merchants')).toBe(3)
    expect(value('acct_mean_amount')).toBeCloseTo(mean, 6)
    const sd = Math.sqrt(amounts.reduce((s, a) => s + (a - mean) ** 2, 0) / amounts.length)
    expect(value('acct_amount_sd')).toBeCloseTo(sd, 6)
    const lastDay = dayOf(profile.lastSeen!, config)
    const week = main.filter((t) => lastDay - dayOf(t.timestamp, config) < 7).map((t) => t.amount)
    expect(value('acct_max_amount_7d')).toBe(Math.max(...week))
  })

  it('profiles a merchant: its accounts, and the merchants where its alerted accounts have alerts', async () => {
    const profile = await caller().entities.profile({ type: 'MERCHANT', id: 'M-a' })
    const atA = all.filter((t) => t.merchantId === 'M-a')
    expect(profile.transactionCount).toBe(atA.length)
    expect(profile.alertCount).toBe(atA.filter((t) => t.alert).length)
    expect(profile.openCaseId).toBeNull()
    expect(profile.counterparties).toEqual(
      countShares(
        atA.map((t) => t.accountId),
        atA.length,
      ),
    )
    // MAIN (alerts at M-a) has one at M-c; acct-x (two at M-a) has one at M-q.
    expect(profile.linked).toEqual([
      { type: 'MERCHANT', id: 'M-c', alertCount: 1, via: [MAIN] },
      { type: 'MERCHANT', id: 'M-q', alertCount: 1, via: ['acct-x'] },
    ])
    const value = (name: string) => profile.features.find((f) => f.name === name)?.value
    const vector = lastVector.get('M-a')!
    for (const name of ['merch_count_1d', 'merch_count_7d', 'merch_count_30d', 'merch_known_fraud_30d'] as const) {
      expect(value(name), name).toBe(vector[FEATURE_INDEX[name]])
    }
    expect(value('merch_risk_30d')).toBeCloseTo(vector[FEATURE_INDEX.merch_risk_30d]!, 6)
    expect(value('merch_known_fraud_30d')).toBe(1)
  })

  it('answers an empty profile for an unknown entity and for another organisation’s', async () => {
    const empty = {
      firstSeen: null,
      lastSeen: null,
      transactionCount: 0,
      alertCount: 0,
      openCaseId: null,
      amount: null,
      counterparties: [],
      countries: [],
      features: [],
      linked: [],
    }
    expect(await caller().entities.profile({ type: 'ACCOUNT', id: 'nobody' })).toEqual({ entity: { type: 'ACCOUNT', id: 'nobody' }, ...empty })
    expect(await caller(OTHER).entities.profile({ type: 'ACCOUNT', id: 'acct-x' })).toEqual({ entity: { type: 'ACCOUNT', id: 'acct-x' }, ...empty })
    // The other organisation's own MAIN: its one transaction, its own case, none of ORG's.
    const theirs = await caller(OTHER).entities.profile({ type: 'ACCOUNT', id: MAIN })
    expect(theirs).toMatchObject({ transactionCount: 1, alertCount: 1, counterparties: [{ id: 'M-a', count: 1, share: 1 }], linked: [], features: [] })
    expect(theirs.openCaseId).not.toBe(openCaseId)
  })

  async function walk(input: Record<string, unknown>, limit: number, org = ORG): Promise<{ items: TEntityTransaction[]; pages: number; totals: number[] }> {
    const items: TEntityTransaction[] = []
    const totals: number[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const page = await caller(org).entities.transactions({ type: 'ACCOUNT', id: MAIN, ...input, limit, cursor } as never)
      expect(page.items.length).toBeLessThanOrEqual(limit)
      items.push(...page.items)
      totals.push(page.total)
      cursor = page.nextCursor
      pages += 1
    } while (cursor !== null && pages < 50)
    return { items, pages, totals }
  }

  const newestFirst = (txs: Tx[]) => [...txs].sort((a, b) => b.timestamp - a.timestamp || (a.id < b.id ? 1 : -1)).map((t) => t.txId)

  it('pages an account’s transactions newest first with an opaque cursor, ties broken by id', async () => {
    const { items, pages, totals } = await walk({}, 7)
    expect(pages).toBe(5)
    expect(totals.every((n) => n === 30)).toBe(true)
    expect(items.map((t) => t.txId)).toEqual(newestFirst(main))
    const fp = items.find((t) => t.txId === 'main-20')!
    expect(fp).toMatchObject({
      anomalyId: anomalyOf.get(main[20]!.id),
      score: 0.9,
      severity: 'HIGH',
      status: 'OPEN',
      label: 'FALSE_POSITIVE',
      merchantId: 'M-a',
    })
    expect(items.find((t) => t.txId === 'main-5')).toMatchObject({ label: null, status: 'OPEN' })
    expect(items.find((t) => t.txId === 'main-1')).toMatchObject({ anomalyId: null, score: null, severity: null, status: null, label: null })
    expect(items.find((t) => t.txId === 'main-3')?.amount).toBe(main[3]!.amount)
  })

  it('filters by merchant, amount, country, time and alerts, over several pages, with the total for the filters', async () => {
    const from = BASE + 48 * HOUR
    const to = main[25]!.timestamp
    const filtered = await walk({ counterpartyId: 'M-a', amountMin: 30, from, to }, 3)
    const expected = main.filter((t) => t.merchantId === 'M-a' && t.amount >= 30 && t.timestamp >= from && t.timestamp <= to)
    expect(expected.length).toBeGreaterThan(6)
    expect(filtered.items.map((t) => t.txId)).toEqual(newestFirst(expected))
    expect(filtered.totals.every((n) => n === expected.length)).toBe(true)

    const fr = await walk({ country: 'fr', amountMax: 80 }, 2)
    expect(fr.items.map((t) => t.txId)).toEqual(newestFirst(main.filter((t) => t.country === 'FR' && t.amount <= 80)))

    const alerts = await walk({ alertsOnly: true }, 3)
    expect(alerts.items.map((t) => t.txId)).toEqual(newestFirst(main.filter((t) => t.alert)))
    expect(alerts.items.every((t) => t.anomalyId !== null)).toBe(true)
  })

  it('refuses a garbled cursor, another entity’s, another organisation’s, and a reversed range, naming the field', async () => {
    const theirs = await caller().entities.transactions({ type: 'ACCOUNT', id: 'acct-x', limit: 1 })
    expect(theirs.nextCursor).not.toBeNull()
    const ours = await caller().entities.transactions({ type: 'ACCOUNT', id: MAIN, limit: 1 })
    // Garbled, of another account, of the same id as a merchant, of another organisation's rows.
    for (const [org, type, id, cursor] of [
      [ORG, 'ACCOUNT', MAIN, 'not-a-cursor'],
      [ORG, 'ACCOUNT', MAIN, Buffer.from('e:1:x:y').toString('base64url')],
      [ORG, 'ACCOUNT', MAIN, theirs.nextCursor],
      [ORG, 'MERCHANT', MAIN, ours.nextCursor],
      [OTHER, 'ACCOUNT', MAIN, ours.nextCursor],
    ] as const) {
      const error = await appErrorOf(caller(org).entities.transactions({ type, id, cursor }))
      expect(error, `${org} ${type} ${id} ${cursor}`).toMatchObject({ code: 'BAD_INPUT', field: 'cursor' })
    }
    expect(await appErrorOf(caller().entities.transactions({ type: 'ACCOUNT', id: MAIN, from: BASE + 10, to: BASE }))).toMatchObject({ field: 'from' })
    expect(await appErrorOf(caller().entities.transactions({ type: 'ACCOUNT', id: MAIN, amountMin: 5, amountMax: 1 }))).toMatchObject({
      field: 'amountMin',
    })
    const foreign = await caller(OTHER).entities.transactions({ type: 'ACCOUNT', id: 'acct-x' })
    expect(foreign).toEqual({ items: [], nextCursor: null, total: 0 })
  })
})
