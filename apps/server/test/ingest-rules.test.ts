import { randomUUID } from 'node:crypto'
import type { TTransactionInput } from '@anomalyze/shared'
import type { RuleDefinition } from '@anomalyze/shared/engine'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ingestTransactions } from '../src/services/ingestion/ingest-transactions.ts'
import { ensurePersonalWorkspace } from '../src/services/organizations/workspaces.ts'
import { invalidateRuleSet, ruleSetFor } from '../src/services/rules/rule-set-cache.ts'
import { createTestServices, type TestServices } from './helpers/test-services.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'

// A small purchase by a fresh account: the model calls it LOW, so only rules can make it an alert.
const plain = (overrides: Partial<TTransactionInput> = {}): TTransactionInput => ({
  txId: `tx-${randomUUID()}`,
  timestamp: '2026-03-01T10:00:00Z',
  amount: 42.5,
  currency: 'INR',
  accountId: `C-${randomUUID()}`,
  merchantId: 'M1',
  ...overrides,
})

const rule = (name: string, expression: string, overrides: Partial<RuleDefinition> = {}): RuleDefinition => ({
  name,
  expression,
  description: '',
  mode: 'ACTIVE',
  severityFloor: null,
  scoreBoost: null,
  ...overrides,
})

describe('ingestion evaluates the published rule set', () => {
  let database: TestDatabase
  let services: TestServices
  const org = 'user_ingest_rules'

  const publish = async (version: number, rules: RuleDefinition[]): Promise<void> => {
    await database.db.ruleSetVersion.create({ data: { orgId: org, version, rules: rules as object[], comment: `v${version}`, publishedById: org } })
    invalidateRuleSet(org)
  }
  const ingest = async (tx: TTransactionInput) => {
    const result = await ingestTransactions(database.db, services.models, org, [tx])
    expect(result.items[0]?.outcome).toBe('accepted')
    const stored = await database.db.transaction.findFirstOrThrow({ where: { orgId: org, txId: tx.txId } })
    const anomaly = await database.db.anomaly.findFirst({ where: { transactionId: stored.id } })
    const hits = await database.db.ruleHit.findMany({ where: { transactionId: stored.id }, orderBy: { ruleName: 'asc' } })
    const suppressed = await database.db.suppressedAlert.findFirst({ where: { transactionId: stored.id } })
    return { result, anomaly, hits, suppressed }
  }

  beforeAll(async () => {
    database = await createTestDatabase()
    services = await createTestServices()
    await ensurePersonalWorkspace(database.db, { id: org })
  })
  afterAll(async () => {
    await services.close()
    await database.drop()
  })

  it('with nothing published, a plain purchase raises no alert and no rule hit, as before rules were data', async () => {
    const { result, anomaly, hits, suppressed } = await ingest(plain({ channel: 'shadow', country: 'ZZ' }))
    expect(result.anomalies).toEqual([])
    expect(anomaly).toBeNull()
    expect(hits).toEqual([])
    expect(suppressed).toBeNull()
  })

  it('an ACTIVE custom rule raises an alert that names it and the rule set version; a floor lifts its severity', async () => {
    await publish(1, [
      rule('FOREIGN_ZZ', 'country == "ZZ" and amount >= 40'),
      rule('NIGHT_CHANNEL_FLOOR', 'channel == "floor"', { severityFloor: 'CRITICAL' }),
      rule('WATCH_SHADOW', 'channel == "shadow"', { mode: 'SHADOW', severityFloor: 'CRITICAL' }),
    ])
    const foreign = await ingest(plain({ country: 'ZZ' }))
    expect(foreign.anomaly).toMatchObject({ ruleViolations: ['FOREIGN_ZZ'], ruleSetVersion: 1 })
    expect(foreign.result.anomalies[0]?.ruleViolations).toEqual(['FOREIGN_ZZ'])
    expect(foreign.hits.map((h) => [h.ruleName, h.mode, h.ruleSetVersion])).toEqual([['FOREIGN_ZZ', 'ACTIVE', 1]])

    const floored = await ingest(plain({ channel: 'floor' }))
    expect(floored.anomaly).toMatchObject({ ruleViolations: ['NIGHT_CHANNEL_FLOOR'], severity: 'CRITICAL', ruleSetVersion: 1 })
    expect(foreign.anomaly?.severity).not.toBe('CRITICAL')
  })

  it('a SHADOW rule records its hit and raises no alert (nor does its floor apply)', async () => {
    const { anomaly, hits, result } = await ingest(plain({ channel: 'shadow' }))
    expect(anomaly).toBeNull()
    expect(result.anomalies).toEqual([])
    expect(hits.map((h) => [h.ruleName, h.mode, h.ruleSetVersion])).toEqual([['WATCH_SHADOW', 'SHADOW', 1]])
  })

  it('a boost lifts the score of the alert the rule raises', async () => {
    await publish(2, [rule('BOOSTED', 'channel == "boost"', { scoreBoost: 0.5 })])
    const boosted = await ingest(plain({ channel: 'boost' }))
    expect(boosted.anomaly).toMatchObject({ ruleViolations: ['BOOSTED'], ruleSetVersion: 2 })
    expect(boosted.anomaly?.score).toBeGreaterThanOrEqual(0.5)
  })

  it('a rule reading a deny list fires for a listed merchant only', async () => {
    await database.db.ruleList.create({
      data: {
        orgId: org,
        name: 'bad_merchants',
        kind: 'DENY',
        field: 'merchant_id',
        createdById: org,
        entries: { create: [{ value: 'M-bad', addedById: org }] },
      },
    })
    await publish(3, [rule('DENIED_MERCHANT', 'merchant_id in list("bad_merchants")', { severityFloor: 'HIGH' })])
    const denied = await ingest(plain({ merchantId: 'M-bad' }))
    expect(denied.anomaly).toMatchObject({ ruleViolations: ['DENIED_MERCHANT'], severity: 'HIGH', ruleSetVersion: 3 })
    const other = await ingest(plain({ merchantId: 'M-good' }))
    expect(other.anomaly).toBeNull()
    expect(other.hits).toEqual([])
  })

  it("an allow-listed account's alert is kept as a SuppressedAlert with the list and reason, and no anomaly or case", async () => {
    await database.db.ruleList.create({
      data: {
        orgId: org,
        name: 'trusted_accounts',
        kind: 'ALLOW',
        field: 'account_id',
        createdById: org,
        entries: { create: [{ value: 'C-trusted', reason: 'treasury account, reviewed', addedById: org }] },
      },
    })
    await publish(4, [rule('DENIED_MERCHANT', 'merchant_id in list("bad_merchants")', { severityFloor: 'HIGH' })])
    const casesBefore = await database.db.case.count({ where: { orgId: org } })
    const trusted = await ingest(plain({ accountId: 'C-trusted', merchantId: 'M-bad' }))
    expect(trusted.anomaly).toBeNull()
    expect(trusted.result.anomalies).toEqual([])
    expect(trusted.result.items[0]).toMatchObject({ outcome: 'accepted', anomalyId: null })
    expect(trusted.suppressed).toMatchObject({
      orgId: org,
      listName: 'trusted_accounts',
      field: 'account_id',
      value: 'C-trusted',
      reason: 'treasury account, reviewed',
      severity: 'HIGH',
      ruleViolations: ['DENIED_MERCHANT'],
      ruleSetVersion: 4,
      modelVersion: trusted.result.modelVersion,
    })
    // The rule did fire: its hit is recorded even though the alert was suppressed.
    expect(trusted.hits.map((h) => h.ruleName)).toEqual(['DENIED_MERCHANT'])
    expect(await database.db.case.count({ where: { orgId: org } })).toBe(casesBefore)

    // An account the list does not name still alerts.
    const other = await ingest(plain({ merchantId: 'M-bad' }))
    expect(other.anomaly).toMatchObject({ ruleViolations: ['DENIED_MERCHANT'], ruleSetVersion: 4 })
    expect(other.suppressed).toBeNull()
  })

  it('an allow-listed account whose transaction raises no alert leaves no SuppressedAlert', async () => {
    const quiet = await ingest(plain({ accountId: 'C-trusted', merchantId: 'M-good' }))
    expect(quiet.anomaly).toBeNull()
    expect(quiet.suppressed).toBeNull()
  })

  it('a publish another process made (no invalidation here) is seen once the cached set is 30 s old', async () => {
    const now = Date.now()
    invalidateRuleSet(org)
    expect((await ruleSetFor(database.db, org, now)).version).toBe(4)
    await database.db.ruleSetVersion.create({ data: { orgId: org, version: 5, rules: [], comment: 'elsewhere', publishedById: org } })
    expect((await ruleSetFor(database.db, org, now + 29_000)).version).toBe(4)
    expect((await ruleSetFor(database.db, org, now + 30_001)).version).toBe(5)
  })
})
