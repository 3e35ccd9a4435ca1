import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pullChanges } from '../src/services/sync/pull-changes.ts'
import { callerFor } from './helpers/caller.ts'
import { createUserWithAnomalies, type UserFixture } from './helpers/fixtures.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'

/**
 * Issue #19 point 6: two analysts of one organisation deciding the same alert. The
 * first decision stands, the second is kept in the history and answered `conflict`
 * with who decided what and when; a decision based on the standing one (a reopen with
 * a note) applies.
 */
describe('team decisions', () => {
  let database: TestDatabase
  let team: UserFixture
  const later = () => Date.now() + 5_000

  beforeAll(async () => {
    database = await createTestDatabase()
    // The admin's workspace with its anomalies; Priya and Arjun join it as analysts, Vera as a viewer.
    team = await createUserWithAnomalies(database.db, 'user_team_admin', 4)
    for (const [id, name, role] of [
      ['user_priya', 'Priya Sharma', 'ANALYST'],
      ['user_arjun', 'Arjun Mehta', 'ANALYST'],
      ['user_vera', 'Vera Viewer', 'VIEWER'],
    ] as const) {
      await database.db.user.create({ data: { id, name } })
      await database.db.membership.create({ data: { orgId: team.userId, userId: id, role } })
    }
  })
  afterAll(() => database.drop())

  const as = (userId: string, name: string, role: 'ADMIN' | 'ANALYST' | 'VIEWER') => callerFor(database.db, userId, { orgId: team.userId, name, role })
  const priya = () => as('user_priya', 'Priya Sharma', 'ANALYST')
  const arjun = () => as('user_arjun', 'Arjun Mehta', 'ANALYST')

  it('keeps the first decision: the second analyst gets a conflict naming who decided what and when, and their decision stays in the history', async () => {
    const anomalyId = team.anomalyIds[0]!
    const first = {
      mutationId: randomUUID(),
      anomalyId,
      label: 'CONFIRMED_FRAUD' as const,
      note: 'card reported stolen',
      decidedAt: Date.now() - 1_000,
      basedOn: null,
    }
    // Arjun decided a moment later without having seen Priya's decision.
    const second = { mutationId: randomUUID(), anomalyId, label: 'FALSE_POSITIVE' as const, note: 'regular customer', decidedAt: Date.now(), basedOn: null }

    expect((await priya().sync.push({ decisions: [first] })).results[0]).toMatchObject({ outcome: 'applied', status: 'CONFIRMED_FRAUD' })
    const conflict = (await arjun().sync.push({ decisions: [second] })).results[0]!
    expect(conflict).toMatchObject({
      outcome: 'conflict',
      status: 'CONFIRMED_FRAUD',
      standing: { label: 'CONFIRMED_FRAUD', decidedBy: 'Priya Sharma', decidedById: 'user_priya', mutationId: first.mutationId, note: 'card reported stolen' },
    })
    expect(conflict.standing!.decidedAt).toBe(first.decidedAt)

    const anomaly = await database.db.anomaly.findUniqueOrThrow({ where: { id: anomalyId }, select: { status: true } })
    expect(anomaly.status).toBe('CONFIRMED_FRAUD')
    const history = await arjun().anomalies.history({ id: anomalyId })
    expect(history.map((h) => [h.decidedBy, h.label, h.inForce])).toEqual([
      ['Arjun Mehta', 'FALSE_POSITIVE', false],
      ['Priya Sharma', 'CONFIRMED_FRAUD', true],
    ])
    expect(history[0]!.note).toBe('regular customer')
  })

  it('lets the second analyst reopen the alert with a note, based on the decision they were shown', async () => {
    const anomalyId = team.anomalyIds[0]!
    const pulled = await pullChanges(database.db, team.userId, { cursor: null, limit: 100 }, later())
    const standing = pulled.anomalies.find((a) => a.id === anomalyId)!.latestDecision!
    expect(standing).toMatchObject({ decidedBy: 'Priya Sharma', decidedById: 'user_priya', label: 'CONFIRMED_FRAUD' })

    const reopen = {
      mutationId: randomUUID(),
      anomalyId,
      label: 'NEEDS_REVIEW' as const,
      note: 'Customer called: travelling, card with them. Reopening.',
      decidedAt: Date.now(),
      basedOn: standing.mutationId!,
    }
    expect((await arjun().sync.push({ decisions: [reopen] })).results[0]).toMatchObject({ outcome: 'applied', status: 'NEEDS_REVIEW' })
    const history = await priya().anomalies.history({ id: anomalyId })
    expect(history.map((h) => [h.decidedBy, h.label, h.inForce])).toEqual([
      ['Arjun Mehta', 'NEEDS_REVIEW', true],
      ['Arjun Mehta', 'FALSE_POSITIVE', false],
      ['Priya Sharma', 'CONFIRMED_FRAUD', false],
    ])
    const audit = await database.db.auditLog.findFirstOrThrow({
      where: { orgId: team.userId, action: 'anomaly.label', entityId: anomalyId },
      orderBy: { createdAt: 'desc' },
    })
    expect(audit.actor).toBe('user_arjun')
  })

  it('applies the same rule to a decision made offline and synced later: it stays in the history, nothing typed is lost', async () => {
    const anomalyId = team.anomalyIds[1]!
    // Arjun decided offline an hour ago; Priya decided online since; his outbox syncs now.
    const offline = { mutationId: randomUUID(), anomalyId, label: 'FALSE_POSITIVE' as const, note: 'typed on the train', decidedAt: Date.now() - 3_600_000 }
    const online = { mutationId: randomUUID(), anomalyId, label: 'CONFIRMED_FRAUD' as const, decidedAt: Date.now() - 60_000, basedOn: null }
    await priya().sync.push({ decisions: [online] })
    const result = (await arjun().sync.push({ decisions: [offline] })).results[0]!
    expect(result).toMatchObject({ outcome: 'conflict', status: 'CONFIRMED_FRAUD', standing: { decidedBy: 'Priya Sharma' } })
    const history = await arjun().anomalies.history({ id: anomalyId })
    expect(history.find((h) => h.mutationId === offline.mutationId)).toMatchObject({ note: 'typed on the train', inForce: false })
  })

  it("between one person's own devices the latest decision still wins", async () => {
    const anomalyId = team.anomalyIds[2]!
    const laptop = { mutationId: randomUUID(), anomalyId, label: 'FALSE_POSITIVE' as const, decidedAt: Date.now() - 10_000 }
    const desktop = { mutationId: randomUUID(), anomalyId, label: 'CONFIRMED_FRAUD' as const, decidedAt: Date.now() - 20_000 }
    expect((await priya().sync.push({ decisions: [laptop] })).results[0]).toMatchObject({ outcome: 'applied' })
    // Her other device's older decision arrives late: kept, not in force.
    expect((await priya().sync.push({ decisions: [desktop] })).results[0]).toMatchObject({ outcome: 'superseded', status: 'FALSE_POSITIVE' })
    const newer = { mutationId: randomUUID(), anomalyId, label: 'NEEDS_REVIEW' as const, decidedAt: Date.now() }
    expect((await priya().sync.push({ decisions: [newer] })).results[0]).toMatchObject({ outcome: 'applied', status: 'NEEDS_REVIEW' })
  })

  it('refuses decisions from a viewer, naming the role needed', async () => {
    const viewer = as('user_vera', 'Vera Viewer', 'VIEWER')
    const error = await viewer.sync
      .push({ decisions: [{ mutationId: randomUUID(), anomalyId: team.anomalyIds[3]!, label: 'CONFIRMED_FRAUD', decidedAt: Date.now() }] })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('analyst role') })
    // Reading the history is open to viewers.
    expect(await viewer.anomalies.history({ id: team.anomalyIds[3]! })).toEqual([])
  })
})
