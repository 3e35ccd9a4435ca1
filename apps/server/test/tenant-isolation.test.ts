import { randomUUID } from 'node:crypto'
import { TRPCError } from '@trpc/server'
import { DEFAULT_CASE_SLA_MINUTES, encodeCaseCursor } from '@anomalyze/shared'
import { DEFAULT_RULE_SET } from '@anomalyze/shared/engine'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appRouter } from '../src/trpc/app-router.ts'
import type { Db } from '../src/db/prisma.ts'
import { callerFor } from './helpers/caller.ts'
import { createUserWithAnomalies, type UserFixture } from './helpers/fixtures.ts'
import { createPaidSubscriptionFixture } from './helpers/razorpay-stub.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'
import { createTestServices } from './helpers/test-services.ts'

/**
 * User B, signed in (as the admin of their own workspace), aims every procedure that
 * exists at user A's workspace and rows. Each
 * procedure needs a probe here: a new procedure without one fails the first test,
 * so isolation is checked for everything the API offers.
 */
type Caller = ReturnType<typeof callerFor>
type Probe = (asB: Caller, a: UserFixture, db: Db) => Promise<void>

const expectNotFound = async (call: Promise<unknown>): Promise<void> => {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(TRPCError)
  expect((error as TRPCError).code).toBe('NOT_FOUND')
}

/** An invoice of user A's, on a paid subscription (created in beforeAll). */
const A_INVOICE = '3d9b0c56-1f0e-4c8e-9f43-2b1a6e5d7c21'

/** A finished report of user A's (created in beforeAll). */
const A_REPORT = '0c6f3f0e-9d1a-4f43-8a52-7e0b7d2a5c11'

/** A batch job of user A's, with a rejected-rows file (created in beforeAll). */
const A_BATCH_JOB = '6f1f7a52-4c1e-4a57-9a55-3b7c1b0e0a01'

/** A registered (inactive) model version of user A's (created in beforeAll, no files needed). */
const A_MODEL = '5b0e9c3a-7d2f-4e61-8a4b-1c9d3e7f2a60'

/** A fresh open case of user A's, holding A's second anomaly. */
async function caseOfA(db: Db, a: UserFixture): Promise<string> {
  const created = await db.case.create({ data: { orgId: a.userId, entityType: 'ACCOUNT', entityId: `${a.userId}-acct`, priority: 'HIGH' } })
  await db.anomaly.update({ where: { id: a.anomalyIds[1]! }, data: { caseId: created.id } })
  return created.id
}

/** User A's rules: a draft, a published version 7, an allow list with an entry, a suppressed alert and a backtest. */
interface RulesOfA {
  draftId: string
  listId: string
  entryId: string
  suppressedId: string
  backtestId: string
}
let rulesOfACreated: RulesOfA | null = null
async function rulesOfA(db: Db, a: UserFixture): Promise<RulesOfA> {
  if (rulesOfACreated !== null) return rulesOfACreated
  const orgId = a.userId
  const draft = await db.rule.create({ data: { orgId, name: 'A_SECRET', expression: 'amount > 1', mode: 'ACTIVE' } })
  const definition = { name: 'A_SECRET', expression: 'amount > 1', description: '', mode: 'ACTIVE', severityFloor: null, scoreBoost: null }
  await db.ruleSetVersion.create({ data: { orgId, version: 7, rules: [definition], comment: 'A only', publishedById: orgId } })
  const list = await db.ruleList.create({ data: { orgId, name: 'a list', kind: 'ALLOW', field: 'account_id', createdById: orgId } })
  const entry = await db.ruleListEntry.create({ data: { listId: list.id, value: `${orgId}-acct`, reason: 'payroll', addedById: orgId } })
  const suppressed = await db.suppressedAlert.create({
    data: {
      orgId,
      transactionId: randomUUID(),
      listName: 'a list',
      field: 'account_id',
      value: `${orgId}-acct`,
      reason: 'payroll',
      score: 0.9,
      severity: 'HIGH',
      ruleViolations: [],
      ruleSetVersion: 7,
      modelVersion: '1.0.0',
    },
  })
  const backtest = await db.ruleBacktest.create({ data: { orgId, rules: [definition], days: 7, createdById: orgId } })
  rulesOfACreated = { draftId: draft.id, listId: list.id, entryId: entry.id, suppressedId: suppressed.id, backtestId: backtest.id }
  return rulesOfACreated
}

const probes: Record<string, Probe> = {
  'rules.list': async (asB, a, db) => {
    await rulesOfA(db, a)
    const overview = await asB.rules.list()
    expect(overview.drafts.map((d) => d.name)).not.toContain('A_SECRET')
    expect(overview.inForce.version).not.toBe(7)
  },
  'rules.check': async (asB, a, db) => {
    await rulesOfA(db, a)
    const { errors } = await asB.rules.check({ expression: 'account_id in list("a list")' })
    expect(errors.map((e) => e.message).join(' ')).toMatch(/Unknown list "a list"/)
  },
  'rules.saveDraft': async (asB, a, db) => {
    const { draftId } = await rulesOfA(db, a)
    await expectNotFound(asB.rules.saveDraft({ id: draftId, rule: { name: 'A_SECRET', expression: 'amount > 2', mode: 'ACTIVE' } }))
    expect((await db.rule.findUniqueOrThrow({ where: { id: draftId } })).expression).toBe('amount > 1')
  },
  'rules.deleteDraft': async (asB, a, db) => {
    const { draftId } = await rulesOfA(db, a)
    await expectNotFound(asB.rules.deleteDraft({ id: draftId }))
    expect(await db.rule.findUnique({ where: { id: draftId } })).not.toBeNull()
  },
  'rules.publish': async (asB, a, db) => {
    await rulesOfA(db, a)
    const published = await asB.rules.publish({ comment: 'B publishes its own', confirmed: true })
    expect(published.version).toBe(1)
    expect(await db.ruleSetVersion.findMany({ where: { orgId: a.userId }, select: { version: true } })).toEqual([{ version: 7 }])
  },
  'rules.rollback': async (asB, a, db) => {
    await rulesOfA(db, a)
    await expectNotFound(asB.rules.rollback({ version: 7, comment: 'take A' }))
  },
  'rules.versions': async (asB, a, db) => {
    await rulesOfA(db, a)
    expect((await asB.rules.versions()).map((v) => v.version)).not.toContain(7)
  },
  'rules.version': async (asB, a, db) => {
    await rulesOfA(db, a)
    await expectNotFound(asB.rules.version({ version: 7 }))
  },
  'rules.inForce': async (asB, a, db) => {
    await rulesOfA(db, a)
    const inForce = await asB.rules.inForce()
    expect(inForce.version).not.toBe(7)
    expect(inForce.lists.map((l) => l.name)).not.toContain('a list')
  },
  'rules.suppressed': async (asB, a, db) => {
    const { suppressedId } = await rulesOfA(db, a)
    expect((await asB.rules.suppressed({})).items.map((i) => i.id)).not.toContain(suppressedId)
  },
  'lists.list': async (asB, a, db) => {
    const { listId } = await rulesOfA(db, a)
    expect((await asB.lists.list()).map((l) => l.id)).not.toContain(listId)
  },
  'lists.entries': async (asB, a, db) => {
    await expectNotFound(asB.lists.entries({ listId: (await rulesOfA(db, a)).listId }))
  },
  'lists.create': async (asB, a, db) => {
    const { listId } = await rulesOfA(db, a)
    // Names are unique per organisation: B's "a list" is B's own.
    const own = await asB.lists.create({ name: 'a list', kind: 'DENY', field: 'merchant_id' })
    expect(own.id).not.toBe(listId)
    expect(await db.ruleList.findUniqueOrThrow({ where: { id: listId } })).toMatchObject({ orgId: a.userId, kind: 'ALLOW' })
    // Gone again, so later probes find no list of that name in B's organisation.
    await asB.lists.delete({ id: own.id })
  },
  'lists.delete': async (asB, a, db) => {
    const { listId } = await rulesOfA(db, a)
    await expectNotFound(asB.lists.delete({ id: listId }))
    expect(await db.ruleList.findUnique({ where: { id: listId } })).not.toBeNull()
  },
  'lists.addEntries': async (asB, a, db) => {
    const { listId } = await rulesOfA(db, a)
    await expectNotFound(asB.lists.addEntries({ listId, entries: [{ value: 'B-ACCT' }] }))
    expect(await db.ruleListEntry.count({ where: { listId } })).toBe(1)
  },
  'lists.removeEntries': async (asB, a, db) => {
    const { listId, entryId } = await rulesOfA(db, a)
    await expectNotFound(asB.lists.removeEntries({ listId, ids: [entryId] }))
    expect(await db.ruleListEntry.count({ where: { listId } })).toBe(1)
  },
  'lists.importCsv': async (asB, a, db) => {
    const { listId } = await rulesOfA(db, a)
    await expectNotFound(asB.lists.importCsv({ listId, csv: 'B-ACCT,from B\n' }))
    expect(await db.ruleListEntry.count({ where: { listId } })).toBe(1)
  },
  'ruleBacktests.start': async (asB, a, db) => {
    await rulesOfA(db, a)
    // The tested rules may not name A's list: B's backtest only knows B's lists.
    await expect(asB.ruleBacktests.start({ rules: [{ name: 'X', expression: 'account_id in list("a list")', mode: 'ACTIVE' }] })).rejects.toThrow(
      /Unknown list/,
    )
    // This caller has no job queue, so the start is refused after the row is recorded (FAILED): in B's organisation.
    await asB.ruleBacktests.start({ rules: DEFAULT_RULE_SET.rules, days: 7 }).catch(() => undefined)
    const started = await db.ruleBacktest.findMany({ where: { createdById: 'user_b' }, select: { orgId: true } })
    expect(started).toEqual([{ orgId: 'user_b' }])
  },
  'ruleBacktests.get': async (asB, a, db) => {
    await expectNotFound(asB.ruleBacktests.get({ id: (await rulesOfA(db, a)).backtestId }))
  },
  'ruleBacktests.latest': async (asB, a, db) => {
    const { backtestId } = await rulesOfA(db, a)
    expect((await asB.ruleBacktests.latest({}))?.id).not.toBe(backtestId)
  },
  'batchJobs.list': async (asB) => {
    expect((await asB.batchJobs.list({})).map((j) => j.id)).not.toContain(A_BATCH_JOB)
  },
  'batchJobs.get': async (asB) => {
    await expectNotFound(asB.batchJobs.get({ id: A_BATCH_JOB }))
  },
  'batchJobs.errorsDownload': async (asB) => {
    await expectNotFound(asB.batchJobs.errorsDownload({ id: A_BATCH_JOB }))
  },
  'reports.create': async (asB, a) => {
    // This caller has no job queue: the report is recorded as B's and marked FAILED.
    await expect(asB.reports.create({ type: 'ANOMALIES', format: 'CSV', parameters: { filters: { accountId: `${a.userId}-acct` } } })).rejects.toThrow(
      /could not be queued/,
    )
    const mine = await asB.reports.list()
    expect(mine.map((r) => r.status)).toContain('FAILED')
    expect(mine.map((r) => r.id)).not.toContain(A_REPORT)
  },
  'reports.list': async (asB) => {
    expect((await asB.reports.list()).map((r) => r.id)).not.toContain(A_REPORT)
  },
  'reports.defaults': async (asB, a, db) => {
    // A month only A's data is in: B's defaults never show it.
    const planted = await db.transaction.create({
      data: {
        orgId: a.userId,
        txId: 'tenant-defaults-2031',
        timestamp: new Date(Date.UTC(2031, 6, 1)),
        amount: 1,
        currency: 'INR',
        accountId: 'x',
        merchantId: 'y',
        source: 'REALTIME_API',
      },
    })
    try {
      expect((await asB.reports.defaults()).latestMonth).not.toBe('2031-07')
    } finally {
      await db.transaction.delete({ where: { id: planted.id } })
    }
  },
  'reports.get': async (asB) => {
    await expectNotFound(asB.reports.get({ id: A_REPORT }))
  },
  'reports.downloadUrl': async (asB) => {
    await expectNotFound(asB.reports.downloadUrl({ id: A_REPORT }))
  },
  'billing.overview': async (asB) => {
    const overview = await asB.billing.overview()
    expect(overview.subscription).toBeNull()
    expect(overview.entitlements.planId).toBe('free')
  },
  'billing.invoices': async (asB) => {
    expect(await asB.billing.invoices()).toEqual([])
  },
  'billing.invoiceDownload': async (asB) => {
    await expectNotFound(asB.billing.invoiceDownload({ id: A_INVOICE }))
  },
  'billing.subscribe': async (asB) => {
    await expect(asB.billing.subscribe({ planId: 'pro' })).rejects.toThrow(/Billing is not configured/)
  },
  'billing.changePlan': async (asB) => {
    await expect(asB.billing.changePlan({ planId: 'pro' })).rejects.toThrow(/Billing is not configured/)
  },
  'billing.cancel': async (asB) => {
    await expectNotFound(asB.billing.cancel({ atPeriodEnd: false }))
  },
  'audit.list': async (asB, a) => {
    const page = await asB.audit.list({ limit: 200 })
    expect(page.items.every((row) => !a.apiKeyIds.includes(row.entityId ?? '') && row.action !== 'billing.subscribe')).toBe(true)
  },
  'audit.facets': async (asB) => {
    expect((await asB.audit.facets()).actions).not.toContain('billing.subscribe')
  },
  'apiKeys.create': async (asB) => {
    const key = await asB.apiKeys.create({ name: 'b key', scopes: ['ingest:write'] })
    expect(key.secret).toMatch(/^sk_live_/)
  },
  'apiKeys.list': async (asB, a) => {
    const keys = await asB.apiKeys.list()
    expect(keys.every((k) => !a.apiKeyIds.includes(k.id))).toBe(true)
  },
  'apiKeys.revoke': async (asB, a) => {
    await expectNotFound(asB.apiKeys.revoke({ id: a.apiKeyIds[0]! }))
  },
  'me.get': async (asB) => {
    const me = await asB.me.get()
    expect(me.id).toBe('user_b')
    expect(me.org.id).toBe('user_b')
    expect(me.organizations.map((o) => o.id)).toEqual(['user_b'])
  },
  'members.list': async (asB) => {
    expect((await asB.members.list()).map((m) => m.userId)).toEqual(['user_b'])
  },
  'members.add': async (_asB, _a, db) => {
    // A server that signs local tokens: the teammate joins B's workspace, and only it.
    const services = await createTestServices()
    try {
      const minted: { userId: string; orgId: string }[] = []
      const localTokens = { mint: async (person: { userId: string; name: string; orgId: string }) => (minted.push(person), `token-${person.userId}`) }
      const { member, token } = await callerFor(db, 'user_b', {}, { ...services, localTokens }).members.add({ name: 'Bea', role: 'analyst' })
      expect(token).toBe(`token-${member.userId}`)
      expect(minted).toEqual([expect.objectContaining({ userId: member.userId, orgId: 'user_b' })])
      expect(await db.membership.findMany({ where: { userId: member.userId }, select: { orgId: true, role: true } })).toEqual([
        { orgId: 'user_b', role: 'ANALYST' },
      ])
    } finally {
      await services.close()
    }
  },
  'members.changeRole': async (asB) => {
    await expectNotFound(asB.members.changeRole({ userId: 'user_a', role: 'VIEWER' }))
  },
  'members.remove': async (asB) => {
    await expectNotFound(asB.members.remove({ userId: 'user_a' }))
  },
  'ingest.transactions': async (asB, a) => {
    // Same external txId as one of A's: a separate row of B's own, A's row untouched.
    const result = await asB.ingest.transactions({
      transactions: [{ txId: `${a.userId}-tx-0`, timestamp: Date.now(), amount: 1, accountId: 'b-acct', merchantId: 'M0' }],
    })
    expect(result.items[0]?.outcome).toBe('accepted')
  },
  'entities.profile': async (asB, a) => {
    const profile = await asB.entities.profile({ type: 'ACCOUNT', id: `${a.userId}-acct` })
    expect(profile).toMatchObject({ transactionCount: 0, alertCount: 0, counterparties: [], linked: [], features: [] })
    expect((await asB.entities.profile({ type: 'MERCHANT', id: 'M0' })).counterparties.map((c) => c.id)).not.toContain(`${a.userId}-acct`)
  },
  'entities.transactions': async (asB, a) => {
    expect(await asB.entities.transactions({ type: 'ACCOUNT', id: `${a.userId}-acct` })).toEqual({ items: [], nextCursor: null, total: 0 })
  },
  'team.metrics': async (asB, a, db) => {
    // A's closed case and decision must not show in B's figures.
    const closed = await db.case.create({
      data: {
        orgId: a.userId,
        entityType: 'ACCOUNT',
        entityId: `${a.userId}-acct`,
        status: 'CLOSED_FRAUD',
        priority: 'HIGH',
        closedAt: new Date(),
        closedById: a.userId,
      },
    })
    const metrics = await asB.team.metrics({ days: 30 })
    expect(metrics.closedPerAnalyst).toEqual([])
    expect(metrics.openByAge.every((b) => b.count === 0)).toBe(true)
    await db.case.delete({ where: { id: closed.id } })
  },
  'cases.pull': async (asB, a, db) => {
    const theirs = await caseOfA(db, a)
    expect((await asB.cases.pull({ cursor: null, limit: 1_000 })).cases.map((c) => c.id)).not.toContain(theirs)
    await expect(asB.cases.pull({ cursor: encodeCaseCursor(Date.now() - 60_000, theirs), limit: 10 })).rejects.toThrow(/not a cursor/)
  },
  'cases.list': async (asB, a, db) => {
    const theirs = await caseOfA(db, a)
    expect((await asB.cases.list({ queue: 'all' })).items.map((c) => c.id)).not.toContain(theirs)
  },
  'cases.get': async (asB, a, db) => {
    await expectNotFound(asB.cases.get({ id: await caseOfA(db, a) }))
  },
  'cases.push': async (asB, a, db) => {
    const theirs = await caseOfA(db, a)
    const result = await asB.cases.push({
      actions: [
        { mutationId: randomUUID(), caseId: theirs, at: Date.now(), kind: 'claim' },
        { mutationId: randomUUID(), caseId: theirs, at: Date.now(), kind: 'comment', text: 'from B' },
      ],
    })
    expect(result.results.map((r) => [r.outcome, r.case])).toEqual([
      ['rejected', null],
      ['rejected', null],
    ])
    expect(await db.caseEvent.count({ where: { caseId: theirs } })).toBe(0)
  },
  'cases.open': async (asB, a, db) => {
    const theirs = await caseOfA(db, a)
    await expect(asB.cases.open({ entityType: 'ACCOUNT', entityId: `${a.userId}-acct`, anomalyIds: [a.anomalyIds[1]!] })).rejects.toThrow(/no anomaly with id/)
    expect((await db.anomaly.findUniqueOrThrow({ where: { id: a.anomalyIds[1]! } })).caseId).toBe(theirs)
  },
  'cases.merge': async (asB, a, db) => {
    const theirs = await caseOfA(db, a)
    const own = await asB.cases.open({ entityType: 'MERCHANT', entityId: `probe-${randomUUID()}`, anomalyIds: [] })
    await expectNotFound(asB.cases.merge({ intoId: own.id, fromIds: [theirs] }))
    await expectNotFound(asB.cases.merge({ intoId: theirs, fromIds: [own.id] }))
    expect(await db.case.findUniqueOrThrow({ where: { id: theirs } })).toMatchObject({ orgId: a.userId, mergedIntoId: null })
  },
  'cases.split': async (asB, a, db) => {
    await expectNotFound(asB.cases.split({ caseId: await caseOfA(db, a), anomalyIds: [a.anomalyIds[1]!] }))
  },
  'caseSettings.get': async (asB, a, db) => {
    // A's SLA and on-duty list stay A's: B sees the defaults and only its own people.
    await db.caseSla.upsert({
      where: { orgId_severity: { orgId: a.userId, severity: 'CRITICAL' } },
      create: { orgId: a.userId, severity: 'CRITICAL', minutes: 17 },
      update: { minutes: 17 },
    })
    const settings = await asB.caseSettings.get()
    expect(settings.sla.CRITICAL).toBe(DEFAULT_CASE_SLA_MINUTES.CRITICAL)
    expect(settings.onDuty.map((p) => p.id)).not.toContain(a.userId)
  },
  'caseSettings.update': async (asB, a, db) => {
    await asB.caseSettings.update({ sla: { HIGH: 33 }, roundRobin: true })
    expect(await db.caseSla.findUnique({ where: { orgId_severity: { orgId: a.userId, severity: 'HIGH' } } })).toBeNull()
    expect((await db.organization.findUniqueOrThrow({ where: { id: a.userId } })).caseRoundRobin).toBe(false)
    await asB.caseSettings.update({ roundRobin: false })
  },
  'caseSettings.setOnDuty': async (asB, a, db) => {
    await expectNotFound(asB.caseSettings.setOnDuty({ userId: a.userId, onDuty: true }))
    expect((await db.membership.findUniqueOrThrow({ where: { orgId_userId: { orgId: a.userId, userId: a.userId } } })).onDuty).toBe(false)
  },
  'transactions.list': async (asB, a) => {
    const page = await asB.transactions.list({ accountId: `${a.userId}-acct` })
    expect(page.items).toEqual([])
    const all = await asB.transactions.list({})
    expect(all.items.every((t) => !a.transactionIds.includes(t.id))).toBe(true)
  },
  'transactions.get': async (asB, a) => {
    await expectNotFound(asB.transactions.get({ id: a.transactionIds[0]! }))
  },
  'anomalies.list': async (asB, a) => {
    const page = await asB.anomalies.list({})
    expect(page.items.length).toBeGreaterThan(0)
    expect(page.items.every((item) => !a.anomalyIds.includes(item.id))).toBe(true)
  },
  'anomalies.get': async (asB, a) => {
    await expectNotFound(asB.anomalies.get({ id: a.anomalyIds[0]! }))
  },
  'anomalies.history': async (asB, a) => {
    await expectNotFound(asB.anomalies.history({ id: a.anomalyIds[0]! }))
  },
  'sync.pull': async (asB, a) => {
    const page = await asB.sync.pull({ cursor: null, limit: 100 })
    expect(page.anomalies.every((item) => !a.anomalyIds.includes(item.id))).toBe(true)
    expect(page.total).toBe(2)
  },
  'sync.push': async (asB, a) => {
    const result = await asB.sync.push({
      decisions: [{ mutationId: randomUUID(), anomalyId: a.anomalyIds[0]!, label: 'FALSE_POSITIVE', decidedAt: Date.now() }],
    })
    expect(result.results[0]).toMatchObject({ outcome: 'rejected', status: null })
  },
  'notifications.settings': async (asB) => {
    expect((await asB.notifications.settings()).phone).not.toBe('+911111111111')
  },
  'notifications.updateSettings': async (asB) => {
    const saved = await asB.notifications.updateSettings({
      email: 'b@example.com',
      phone: '+912222222222',
      emailEnabled: true,
      smsEnabled: false,
      phoneEnabled: false,
      minSeverityForEmail: 'HIGH',
      minSeverityForSms: 'HIGH',
      minSeverityForCall: 'CRITICAL',
      quietHoursStart: null,
      quietHoursEnd: null,
      timeZone: 'UTC',
      dailyDigest: false,
      monthlyReportEmail: false,
    })
    expect(saved.phone).toBe('+912222222222')
  },
  'notifications.sendTest': async (asB) => {
    // B's own settings (saved by the updateSettings probe or not): never A's number.
    await expect(asB.notifications.sendTest({ channel: 'SMS' })).rejects.toThrow(/plan does not include sms_alerts/)
  },
  'notifications.deliveries': async (asB, a) => {
    await expectNotFound(asB.notifications.deliveries({ anomalyId: a.anomalyIds[0]! }))
  },
  'models.list': async (asB) => {
    // Only the shipped default, which every organisation has: none of A's versions.
    expect((await asB.models.list()).versions.map((v) => v.id)).toEqual(['shipped-default'])
  },
  'models.settings': async (asB, a, db) => {
    await db.organization.update({ where: { id: a.userId }, data: { autoActivateModels: true } })
    try {
      expect(await asB.models.settings()).toEqual({ autoActivateModels: false })
    } finally {
      await db.organization.update({ where: { id: a.userId }, data: { autoActivateModels: false } })
    }
  },
  'models.setAutoActivate': async (asB, a, db) => {
    await asB.models.setAutoActivate({ enabled: true })
    expect((await db.organization.findUniqueOrThrow({ where: { id: a.userId } })).autoActivateModels).toBe(false)
    await asB.models.setAutoActivate({ enabled: false })
  },
  'models.register': async (asB) => {
    // Nothing of A's is reachable: a bad upload is refused on its own merits.
    await expect(asB.models.register({ manifest: '{}', onnxBase64: 'AA==', treesBase64: 'AA==' })).rejects.toThrow(/Model refused/)
  },
  'models.activate': async (asB) => {
    await expectNotFound(asB.models.activate({ version: '1.0.0' }))
  },
  'models.rollback': async (asB) => {
    await expectNotFound(asB.models.rollback({ version: '1.0.0' }))
  },
  'models.previewCandidate': async (asB) => {
    await expectNotFound(asB.models.previewCandidate({ modelId: A_MODEL }))
  },
  'models.active': async (asB) => {
    expect((await asB.models.active()).files).toEqual([])
  },
  'training.start': async (asB) => {
    // B is on the free plan: refused for B's own plan, nothing of A's involved.
    await expect(asB.training.start()).rejects.toThrow(/not included in the Free plan/)
  },
  'training.list': async (asB) => {
    expect(await asB.training.list({})).toEqual([])
  },
  'training.get': async (asB) => {
    await expectNotFound(asB.training.get({ id: randomUUID() }))
  },
}

describe('tenant isolation', () => {
  let database: TestDatabase
  let a: UserFixture

  beforeAll(async () => {
    database = await createTestDatabase()
    a = await createUserWithAnomalies(database.db, 'user_a', 3)
    const key = await callerFor(database.db, 'user_a').apiKeys.create({ name: 'a key', scopes: ['ingest:write'] })
    await database.db.notificationSettings.create({ data: { orgId: 'user_a', phone: '+911111111111', smsEnabled: true } })
    a.apiKeyIds.push(key.id)
    await database.db.batchJob.create({
      data: { id: A_BATCH_JOB, orgId: 'user_a', fileName: 'a.csv', r2Key: 'users/user_a/batches/a.csv', rowErrorsKey: 'users/user_a/batches/a-errors.csv' },
    })
    await createPaidSubscriptionFixture(database.db, 'user_a', A_INVOICE)
    await database.db.modelArtifact.create({
      data: {
        id: A_MODEL,
        orgId: 'user_a',
        version: '1.0.0',
        s3Path: 'users/user_a/models/1.0.0/model.onnx',
        sha256: '0'.repeat(64),
        manifest: {},
        metrics: {},
      },
    })
    await database.db.report.create({
      data: {
        id: A_REPORT,
        orgId: 'user_a',
        type: 'ANOMALIES',
        format: 'CSV',
        parameters: { filters: {} },
        status: 'COMPLETED',
        fileUrl: 'users/user_a/reports/a.csv',
      },
    })
    await createUserWithAnomalies(database.db, 'user_b', 2)
    // Rows must have settled before sync.pull serves them.
    await new Promise((resolve) => setTimeout(resolve, 1_100))
  })
  afterAll(() => database.drop())

  it('has a probe for every procedure the API offers', () => {
    expect(Object.keys(probes).sort()).toEqual(Object.keys(appRouter._def.procedures).sort())
  })

  for (const [path, probe] of Object.entries(probes)) {
    it(`${path}: user B cannot reach user A's workspace`, async () => {
      await probe(callerFor(database.db, 'user_b'), a, database.db)
    })
  }

  it("leaves user A's rows untouched", async () => {
    const rows = await database.db.anomaly.findMany({ where: { orgId: 'user_a' } })
    expect(rows.map((r) => r.status)).toEqual(['OPEN', 'OPEN', 'OPEN'])
    expect(await database.db.anomalyLabel.count()).toBe(0)
    expect(await database.db.notificationSettings.findUnique({ where: { orgId: 'user_a' } })).toMatchObject({ phone: '+911111111111', smsEnabled: true })
    const aTx = await database.db.transaction.findFirstOrThrow({ where: { orgId: 'user_a', txId: 'user_a-tx-0' } })
    expect(aTx.accountId).toBe('user_a-acct')
    expect(await database.db.apiKey.count({ where: { orgId: 'user_a', revokedAt: null } })).toBe(1)
    expect(await database.db.membership.findMany({ where: { orgId: 'user_a' }, select: { userId: true, role: true, removedAt: true } })).toEqual([
      { userId: 'user_a', role: 'ADMIN', removedAt: null },
    ])
  })
})
