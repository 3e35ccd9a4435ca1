import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ZPullOutput } from '@anomalyze/shared'
import { anomalySelect, toSyncAnomaly } from '../src/services/anomalies/anomaly-dto.ts'
import { pullChanges } from '../src/services/sync/pull-changes.ts'
import { callerFor } from './helpers/caller.ts'
import { createUserWithAnomalies, type UserFixture } from './helpers/fixtures.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'

describe('sync', () => {
  let database: TestDatabase
  let user: UserFixture
  const later = () => Date.now() + 5_000

  beforeAll(async () => {
    database = await createTestDatabase()
    user = await createUserWithAnomalies(database.db, 'user_sync', 7)
  })
  afterAll(() => database.drop())

  it('pulls every anomaly exactly once across pages, then resumes from the cursor', async () => {
    const seen: string[] = []
    let cursor: string | null = null
    for (let page = 0; page < 10; page += 1) {
      const result = await pullChanges(database.db, user.userId, { cursor, limit: 3 }, later())
      seen.push(...result.anomalies.map((a) => a.id))
      expect(result.total).toBe(7)
      cursor = result.nextCursor
      if (!result.hasMore) break
    }
    expect(seen.sort()).toEqual([...user.anomalyIds].sort())
    const again = await pullChanges(database.db, user.userId, { cursor, limit: 3 }, later())
    expect(again.anomalies).toEqual([])
    expect(again.nextCursor).toBe(cursor)
  })

  it('does not serve rows that may not have settled yet', async () => {
    const result = await pullChanges(database.db, user.userId, { cursor: null, limit: 100 }, Date.now() - 60_000)
    expect(result.anomalies).toEqual([])
  })

  it('refuses a cursor it did not issue, naming the field', async () => {
    const error = await callerFor(database.db, user.userId)
      .sync.pull({ cursor: '!!!', limit: 10 })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'BAD_REQUEST', cause: { details: { field: 'cursor' } } })
  })

  it('applies a decision once even when pushed twice', async () => {
    const caller = callerFor(database.db, user.userId)
    const decision = {
      mutationId: randomUUID(),
      anomalyId: user.anomalyIds[0]!,
      label: 'FALSE_POSITIVE' as const,
      note: 'known merchant',
      decidedAt: Date.now(),
    }
    const first = await caller.sync.push({ decisions: [decision] })
    const second = await caller.sync.push({ decisions: [decision] })
    expect(first.results[0]).toMatchObject({ outcome: 'applied', status: 'FALSE_POSITIVE' })
    expect(second.results[0]).toMatchObject({ outcome: 'duplicate', status: 'FALSE_POSITIVE' })
    expect(await database.db.anomalyLabel.count({ where: { anomalyId: decision.anomalyId } })).toBe(1)
    const anomaly = await database.db.anomaly.findUniqueOrThrow({ where: { id: decision.anomalyId } })
    expect(anomaly).toMatchObject({ status: 'FALSE_POSITIVE', isFalsePositive: true })
    const audit = await database.db.auditLog.findMany({ where: { entityId: decision.anomalyId } })
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ action: 'anomaly.label', oldData: { status: 'OPEN' } })
  })

  it('applies concurrent duplicate pushes once', async () => {
    const caller = callerFor(database.db, user.userId)
    const decision = { mutationId: randomUUID(), anomalyId: user.anomalyIds[1]!, label: 'CONFIRMED_FRAUD' as const, decidedAt: Date.now() }
    const results = await Promise.all(Array.from({ length: 5 }, () => caller.sync.push({ decisions: [decision] })))
    const outcomes = results.map((r) => r.results[0]?.outcome).sort()
    expect(outcomes).toEqual(['applied', 'duplicate', 'duplicate', 'duplicate', 'duplicate'])
    expect(await database.db.anomalyLabel.count({ where: { anomalyId: decision.anomalyId } })).toBe(1)
  })

  it('lets the later decision win a conflict and keeps both in history', async () => {
    const anomalyId = user.anomalyIds[2]!
    const analystA = callerFor(database.db, user.userId, { name: 'Asha' })
    const analystB = callerFor(database.db, user.userId, { name: 'Bilal' })
    const t = Date.now()
    // B decided later but syncs first; A's older decision arrives afterwards.
    const b = await analystB.sync.push({ decisions: [{ mutationId: randomUUID(), anomalyId, label: 'CONFIRMED_FRAUD', decidedAt: t }] })
    const a = await analystA.sync.push({ decisions: [{ mutationId: randomUUID(), anomalyId, label: 'FALSE_POSITIVE', decidedAt: t - 60_000 }] })
    expect(b.results[0]).toMatchObject({ outcome: 'applied', status: 'CONFIRMED_FRAUD' })
    expect(a.results[0]).toMatchObject({ outcome: 'superseded', status: 'CONFIRMED_FRAUD' })
    const labels = await database.db.anomalyLabel.findMany({ where: { anomalyId }, orderBy: { decidedAt: 'asc' } })
    expect(labels.map((l) => [l.decidedBy, l.label])).toEqual([
      ['Asha', 'FALSE_POSITIVE'],
      ['Bilal', 'CONFIRMED_FRAUD'],
    ])
    const pulled = await pullChanges(database.db, user.userId, { cursor: null, limit: 100 }, later())
    expect(pulled.anomalies.find((x) => x.id === anomalyId)?.latestDecision).toMatchObject({
      label: 'CONFIRMED_FRAUD',
      decidedBy: 'Bilal',
    })
  })

  it('reports each decision of a mixed batch on its own', async () => {
    const result = await callerFor(database.db, user.userId).sync.push({
      decisions: [
        { mutationId: randomUUID(), anomalyId: user.anomalyIds[3]!, label: 'NEEDS_REVIEW', decidedAt: Date.now() },
        { mutationId: randomUUID(), anomalyId: 'no-such-anomaly', label: 'NEEDS_REVIEW', decidedAt: Date.now() },
      ],
    })
    expect(result.results.map((r) => r.outcome)).toEqual(['applied', 'rejected'])
  })

  it('serves exactly what the Prisma mapping gives, field for field, with the feature vector on its own', async () => {
    const owner = await createUserWithAnomalies(database.db, 'user_sync_fidelity', 3)
    const [withFeatures, malformed, plain] = owner.anomalyIds as [string, string, string]
    const vector = [1234.5, 23, 0, 1, 0.125, -3.75]
    await database.db.anomaly.update({
      where: { id: withFeatures },
      data: { explanationData: { topFeatures: [{ feature: 'amount', value: 1234.5 }], isolationScore: 0.61, features: vector }, modelVersion: '1.2.0' },
    })
    await database.db.anomaly.update({ where: { id: malformed }, data: { explanationData: { features: [1, 'x', 3] } } })
    await database.db.transaction.update({
      where: { id: owner.transactionIds[2]! },
      data: { category: 'grocery', country: 'IN', channel: 'pos', amount: '99.1250' },
    })
    const mutationId = randomUUID()
    await callerFor(database.db, owner.userId, { name: 'Asha' }).sync.push({
      decisions: [{ mutationId, anomalyId: plain, label: 'NEEDS_REVIEW', note: 'call the card holder', decidedAt: Date.UTC(2026, 1, 3, 4, 5, 6, 789) }],
    })
    const pulled = await pullChanges(database.db, owner.userId, { cursor: null, limit: 100 }, later())
    expect(() => ZPullOutput.parse(pulled)).not.toThrow()
    const rows = await database.db.anomaly.findMany({ where: { orgId: owner.userId }, select: anomalySelect })
    const expected = new Map(rows.map((r) => [r.id, toSyncAnomaly(r)]))
    for (const anomaly of pulled.anomalies) {
      const { features, ...rest } = anomaly
      const reference = expected.get(anomaly.id)!
      const data = reference.explanationData as Record<string, unknown> | null
      // The vector moves out of explanationData into `features`; everything else is identical.
      const { features: _moved, ...dataWithout } = data ?? {}
      expect(rest).toEqual({ ...reference, explanationData: data === null ? null : dataWithout })
      if (anomaly.id === withFeatures) expect(features).toEqual(vector)
      else expect(features).toBeNull()
    }
    expect(pulled.anomalies.find((a) => a.id === plain)?.latestDecision).toEqual({
      label: 'NEEDS_REVIEW',
      note: 'call the card holder',
      decidedBy: 'Asha',
      // The member who decided (the name is what is shown), and the decision's own id.
      decidedById: owner.userId,
      decidedAt: Date.UTC(2026, 1, 3, 4, 5, 6, 789),
      mutationId,
    })
    expect(pulled.anomalies.find((a) => a.id === plain)?.transaction).toMatchObject({ amount: 99.125, category: 'grocery', country: 'IN', channel: 'pos' })
  })

  it('pages rows that share one updatedAt by id, and counts the total only when asked', async () => {
    const owner = await createUserWithAnomalies(database.db, 'user_sync_ties', 5)
    await database.db.$executeRaw`UPDATE "Anomaly" SET "updatedAt" = '2026-03-01 10:00:00.123' WHERE "orgId" = ${owner.userId}`
    const seen: string[] = []
    const totals: Array<number | null> = []
    let cursor: string | null = null
    for (let page = 0; page < 10; page += 1) {
      const result = await pullChanges(database.db, owner.userId, { cursor, limit: 2, withTotal: page === 0 }, later())
      seen.push(...result.anomalies.map((a) => a.id))
      totals.push(result.total)
      cursor = result.nextCursor
      if (!result.hasMore) break
    }
    expect(seen).toEqual([...owner.anomalyIds].sort())
    expect(totals).toEqual([5, null, null])
  })
})
