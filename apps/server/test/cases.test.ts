import { randomUUID } from 'node:crypto'
import { DEFAULT_CASE_SLA_MINUTES, severityRank, type Severity, type TCaseAction } from '@anomalyze/shared'
import { BUCKET_FRAUD, type MerchantState } from '@anomalyze/shared/engine'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pullCases } from '../src/services/cases/read-cases.ts'
import { pullChanges } from '../src/services/sync/pull-changes.ts'
import { action, createCaseTeam, ingestAlerts, type CaseTeam } from './cases-fixtures.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'

const worst = (severities: string[]): Severity => severities.reduce((a, b) => (severityRank(b as Severity) > severityRank(a as Severity) ? b : a)) as Severity

/**
 * Issue #20, cases: ingestion groups alerts into cases (one per account, or a merchant
 * case an analyst opened), the case pull serves them with their timelines, closing a
 * case decides its alerts like decisions do, and merge and split move alerts.
 */
describe('cases', () => {
  let database: TestDatabase
  let team: CaseTeam
  const later = () => Date.now() + 5_000

  beforeAll(async () => {
    database = await createTestDatabase()
    team = await createCaseTeam(database.db, 'user_cases')
  })
  afterAll(() => database.drop())

  const caseOfAlert = async (anomalyId: string) => (await database.db.anomaly.findUniqueOrThrow({ where: { id: anomalyId }, select: { caseId: true } })).caseId

  it('puts two alerts of one account into one new case, with its priority, due time and one opened line', async () => {
    const alerts = await ingestAlerts(database.db, team.orgId, [
      { accountId: 'ACC-1', merchantId: 'M-a' },
      { accountId: 'ACC-1', merchantId: 'M-b' },
    ])
    const caseId = await caseOfAlert(alerts[0]!.id)
    expect(caseId).not.toBeNull()
    expect(await caseOfAlert(alerts[1]!.id)).toBe(caseId)

    const { case: row, events, anomalyIds } = await team.priya().cases.get({ id: caseId! })
    const priority = worst(alerts.map((a) => a.severity))
    expect(row).toMatchObject({ entityType: 'ACCOUNT', entityId: 'ACC-1', status: 'OPEN', priority, assignee: null, alertCount: 2, openAlertCount: 2 })
    expect(row.dueAt).toBe(row.createdAt + DEFAULT_CASE_SLA_MINUTES[priority] * 60_000)
    expect(row.slaMinutes).toBe(DEFAULT_CASE_SLA_MINUTES[priority])
    expect(anomalyIds.sort()).toEqual(alerts.map((a) => a.id).sort())
    expect(events.map((e) => [e.kind, e.actorName, e.actor])).toEqual([
      ['opened', 'Anomalyze', null],
      ['alerts_added', 'Anomalyze', null],
    ])
    expect(events[1]!.data).toMatchObject({ count: 2 })

    // A later alert of the account joins the same case, with a line of its own.
    const [third] = await ingestAlerts(database.db, team.orgId, [{ accountId: 'ACC-1', merchantId: 'M-c' }])
    expect(await caseOfAlert(third!.id)).toBe(caseId)
    const after = await team.priya().cases.get({ id: caseId! })
    expect(after.case.alertCount).toBe(3)
    expect(after.events.map((e) => e.kind)).toEqual(['opened', 'alerts_added', 'alerts_added'])
    expect(after.events[2]!.data).toEqual({ anomalyIds: [third!.id], count: 1 })
    expect(await database.db.case.count({ where: { orgId: team.orgId, entityId: 'ACC-1' } })).toBe(1)
  })

  it('raises the priority of a case a worse alert joins and pulls its due time earlier, never later', async () => {
    const createdAt = new Date(Date.now() - 3_600_000)
    const dueAt = new Date(createdAt.getTime() + DEFAULT_CASE_SLA_MINUTES.LOW * 60_000)
    const low = await database.db.case.create({
      data: { orgId: team.orgId, entityType: 'ACCOUNT', entityId: 'ACC-RAISE', priority: 'LOW', dueAt, createdAt },
    })
    const [alert] = await ingestAlerts(database.db, team.orgId, [{ accountId: 'ACC-RAISE', merchantId: 'M-r' }])
    expect(await caseOfAlert(alert!.id)).toBe(low.id)
    const row = (await team.priya().cases.get({ id: low.id })).case
    const priority = worst(['LOW', alert!.severity])
    expect(row.priority).toBe(priority)
    expect(row.dueAt).toBe(Math.min(dueAt.getTime(), createdAt.getTime() + DEFAULT_CASE_SLA_MINUTES[priority] * 60_000))
    expect(row.dueAt).toBeLessThanOrEqual(dueAt.getTime())
  })

  it("sends a later alert at a merchant an analyst opened a case for into the merchant's case", async () => {
    const opened = await team.priya().cases.open({ entityType: 'MERCHANT', entityId: 'M-SHADY', anomalyIds: [] })
    expect(opened).toMatchObject({ entityType: 'MERCHANT', entityId: 'M-SHADY', openedBy: { id: team.ids.priya, name: 'Priya Sharma' }, alertCount: 0 })
    const [alert] = await ingestAlerts(database.db, team.orgId, [{ accountId: 'ACC-AT-SHADY', merchantId: 'M-SHADY' }])
    expect(await caseOfAlert(alert!.id)).toBe(opened.id)
    expect(await database.db.case.count({ where: { orgId: team.orgId, entityId: 'ACC-AT-SHADY' } })).toBe(0)

    // A second case for the same merchant is refused, naming the open one.
    await expect(team.arjun().cases.open({ entityType: 'MERCHANT', entityId: 'M-SHADY', anomalyIds: [] })).rejects.toThrow(
      `Merchant M-SHADY already has an open case: ${opened.id}`,
    )
  })

  it('carries caseId in the anomaly pull', async () => {
    const [alert] = await ingestAlerts(database.db, team.orgId, [{ accountId: 'ACC-PULL', merchantId: 'M-p' }])
    const pulled = await pullChanges(database.db, team.orgId, { cursor: null, limit: 2_000 }, later())
    const row = pulled.anomalies.find((a) => a.id === alert!.id)
    expect(row?.caseId).toBe(await caseOfAlert(alert!.id))
    expect(row?.caseId).toEqual(expect.any(String))
  })

  it('pulls cases in pages with their timelines, each case once, and refuses a foreign or broken cursor', async () => {
    const all: string[] = []
    let cursor: string | null = null
    for (let page = 0; page < 50; page += 1) {
      const result = await pullCases(database.db, team.orgId, { cursor, limit: 2 }, later())
      all.push(...result.cases.map((c) => c.id))
      // Every case of the page comes with its whole timeline, and only those.
      expect(new Set(result.events.map((e) => e.caseId))).toEqual(new Set(result.cases.map((c) => c.id)))
      cursor = result.nextCursor
      if (!result.hasMore) break
    }
    const stored = await database.db.case.findMany({ where: { orgId: team.orgId }, select: { id: true } })
    expect(all.sort()).toEqual(stored.map((c) => c.id).sort())
    expect(all.length).toBeGreaterThan(2)

    // A comment bumps the case: the next pull from the last cursor serves it again.
    const target = stored[0]!.id
    await team.priya().cases.push({ actions: [action('comment', target, { text: 'looked at it' }) as TCaseAction] })
    const again = await pullCases(database.db, team.orgId, { cursor, limit: 100 }, later())
    expect(again.cases.map((c) => c.id)).toEqual([target])
    expect(again.events.at(-1)).toMatchObject({ kind: 'comment', data: { text: 'looked at it' }, actor: { id: team.ids.priya, name: 'Priya Sharma' } })

    await expect(team.priya().cases.pull({ cursor: 'garbage', limit: 10 })).rejects.toThrow(/not a cursor from cases.pull/)
    const other = await createCaseTeam(database.db, 'user_cases_other')
    await ingestAlerts(database.db, other.orgId, [{ accountId: 'ACC-OTHER', merchantId: 'M-o' }])
    const foreign = await pullCases(database.db, other.orgId, { cursor: null, limit: 1 }, later())
    await expect(team.priya().cases.pull({ cursor: foreign.nextCursor, limit: 10 })).rejects.toThrow(/not a cursor from cases.pull/)
  })

  it('closing a case decides its open alerts, and the labels feed the merchant risk like decisions do', async () => {
    const merchantId = `M-close-${randomUUID().slice(0, 8)}`
    const alerts = await ingestAlerts(database.db, team.orgId, [
      { accountId: 'ACC-CLOSE', merchantId },
      { accountId: 'ACC-CLOSE', merchantId },
    ])
    const caseId = (await caseOfAlert(alerts[0]!.id))!
    const frauds = async () => {
      const row = await database.db.merchantFeatureState.findUniqueOrThrow({ where: { orgId_merchantId: { orgId: team.orgId, merchantId } } })
      return ((row.state as unknown as MerchantState).buckets.columns[BUCKET_FRAUD] ?? []).reduce((a, b) => a + b, 0)
    }
    expect(await frauds()).toBe(0)
    const close = action('close', caseId, { status: 'CLOSED_FRAUD', note: 'card skimmed' }) as TCaseAction
    const [result] = (await team.priya().cases.push({ actions: [close] })).results
    expect(result).toMatchObject({ outcome: 'applied', case: { status: 'CLOSED_FRAUD', openAlertCount: 0, closedBy: { id: team.ids.priya } } })

    const stored = await database.db.anomaly.findMany({ where: { id: { in: alerts.map((a) => a.id) } }, select: { status: true } })
    expect(stored.map((a) => a.status)).toEqual(['CONFIRMED_FRAUD', 'CONFIRMED_FRAUD'])
    const labels = await database.db.anomalyLabel.findMany({ where: { anomalyId: { in: alerts.map((a) => a.id) } } })
    expect(labels.map((l) => l.mutationId).sort()).toEqual(alerts.map((a) => `${close.mutationId}:${a.id}`).sort())
    expect(labels.every((l) => l.decidedBy === 'Priya Sharma' && l.note === 'card skimmed' && l.supersededAt === null)).toBe(true)
    expect(await frauds()).toBe(2)
    const { events } = await team.priya().cases.get({ id: caseId })
    expect(events.at(-1)).toMatchObject({ kind: 'closed', data: { status: 'CLOSED_FRAUD', note: 'card skimmed', decidedCount: 2 } })
    expect(await database.db.auditLog.count({ where: { orgId: team.orgId, action: 'anomaly.label', entityId: { in: alerts.map((a) => a.id) } } })).toBe(2)
    expect(await database.db.auditLog.count({ where: { orgId: team.orgId, action: 'case.close', entityId: caseId } })).toBe(1)

    // A new alert of the account after the close opens a new case.
    const [next] = await ingestAlerts(database.db, team.orgId, [{ accountId: 'ACC-CLOSE', merchantId }])
    const nextCase = await caseOfAlert(next!.id)
    expect(nextCase).not.toBe(caseId)
    expect(nextCase).not.toBeNull()
  })

  it('adds a decision line to the case of an alert decided through sync.push', async () => {
    const [alert] = await ingestAlerts(database.db, team.orgId, [{ accountId: 'ACC-DECIDE', merchantId: 'M-d' }])
    const caseId = (await caseOfAlert(alert!.id))!
    await team.arjun().sync.push({
      decisions: [{ mutationId: randomUUID(), anomalyId: alert!.id, label: 'FALSE_POSITIVE', note: 'known customer', decidedAt: Date.now() }],
    })
    const { events, case: row } = await team.arjun().cases.get({ id: caseId })
    expect(events.at(-1)).toMatchObject({
      kind: 'decision',
      actor: { id: team.ids.arjun, name: 'Arjun Mehta' },
      data: { anomalyIds: [alert!.id], label: 'FALSE_POSITIVE', note: 'known customer' },
    })
    expect(row.openAlertCount).toBe(0)
  })

  it('splits alerts into a new case of the same entity, recorded on both sides', async () => {
    const alerts = await ingestAlerts(database.db, team.orgId, [
      { accountId: 'ACC-SPLIT', merchantId: 'M-s1' },
      { accountId: 'ACC-SPLIT', merchantId: 'M-s2' },
      { accountId: 'ACC-SPLIT', merchantId: 'M-s3' },
    ])
    const source = (await caseOfAlert(alerts[0]!.id))!
    const moved = [alerts[1]!.id, alerts[2]!.id]
    const created = await team.priya().cases.split({ caseId: source, anomalyIds: moved })
    expect(created).toMatchObject({ entityType: 'ACCOUNT', entityId: 'ACC-SPLIT', alertCount: 2, status: 'OPEN' })
    expect(created.id).not.toBe(source)
    expect(await caseOfAlert(alerts[0]!.id)).toBe(source)
    for (const id of moved) expect(await caseOfAlert(id)).toBe(created.id)
    expect((await team.priya().cases.get({ id: source })).events.at(-1)).toMatchObject({ kind: 'split', data: { to: created.id, anomalyIds: moved } })
    expect((await team.priya().cases.get({ id: created.id })).events.map((e) => [e.kind, e.data])).toEqual([
      ['opened', { entityType: 'ACCOUNT', entityId: 'ACC-SPLIT', by: 'split' }],
      ['split', { from: source, anomalyIds: moved }],
    ])
    // Alerts of another case, or every alert of the case, cannot be split off.
    await expect(team.priya().cases.split({ caseId: source, anomalyIds: [moved[0]!] })).rejects.toThrow(`anomaly ${moved[0]} is not in case ${source}`)
    await expect(team.priya().cases.split({ caseId: source, anomalyIds: [alerts[0]!.id] })).rejects.toThrow(/at least one alert/)
  })

  it('merges cases: alerts move, the merged case leaves the queues and its timeline stays visible', async () => {
    const [a] = await ingestAlerts(database.db, team.orgId, [{ accountId: 'ACC-MERGE-A', merchantId: 'M-m' }])
    const [b] = await ingestAlerts(database.db, team.orgId, [{ accountId: 'ACC-MERGE-B', merchantId: 'M-m2' }])
    const into = (await caseOfAlert(a!.id))!
    const from = (await caseOfAlert(b!.id))!
    await team.priya().cases.push({ actions: [action('comment', from, { text: 'same fraud ring' }) as TCaseAction] })
    const merged = await team.priya().cases.merge({ intoId: into, fromIds: [from] })
    expect(merged).toMatchObject({ id: into, alertCount: 2 })
    expect(await caseOfAlert(b!.id)).toBe(into)
    const gone = (await team.priya().cases.get({ id: from })).case
    expect(gone).toMatchObject({ mergedIntoId: into, alertCount: 0 })
    const { events } = await team.priya().cases.get({ id: into })
    expect(events.filter((e) => e.kind === 'merged').map((e) => [e.caseId, e.data])).toEqual(
      expect.arrayContaining([
        [into, { from: [from] }],
        [from, { into }],
      ]),
    )
    expect(events.find((e) => e.kind === 'comment')).toMatchObject({ caseId: from, data: { text: 'same fraud ring' } })
    const all = await team.priya().cases.list({ queue: 'all', limit: 1_000 })
    expect(all.items.map((c) => c.id)).toContain(into)
    expect(all.items.map((c) => c.id)).not.toContain(from)
    await expect(team.priya().cases.merge({ intoId: into, fromIds: [into] })).rejects.toThrow(/merged into itself/)
  })

  it('lists the queues: mine, unassigned, escalated', async () => {
    const [alert] = await ingestAlerts(database.db, team.orgId, [{ accountId: 'ACC-QUEUE', merchantId: 'M-q' }])
    const caseId = (await caseOfAlert(alert!.id))!
    const ids = async (caller: ReturnType<CaseTeam['priya']>, queue: 'mine' | 'unassigned' | 'escalated') =>
      (await caller.cases.list({ queue, limit: 1_000 })).items.map((c) => c.id)
    expect(await ids(team.priya(), 'unassigned')).toContain(caseId)
    await team.priya().cases.push({ actions: [action('claim', caseId) as TCaseAction, action('status', caseId, { status: 'ESCALATED' }) as TCaseAction] })
    expect(await ids(team.priya(), 'mine')).toContain(caseId)
    expect(await ids(team.arjun(), 'mine')).not.toContain(caseId)
    expect(await ids(team.priya(), 'unassigned')).not.toContain(caseId)
    expect(await ids(team.arjun(), 'escalated')).toContain(caseId)
  })
})
