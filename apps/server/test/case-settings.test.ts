import { randomUUID } from 'node:crypto'
import { TRPCError } from '@trpc/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ZodError } from 'zod'
import { DEFAULT_CASE_SLA_MINUTES, MAX_SLA_MINUTES } from '@anomalyze/shared'
import type { Session } from '../src/auth/session.ts'
import type { Db } from '../src/db/prisma.ts'
import { pickRoundRobinAssignee } from '../src/services/cases/round-robin.ts'
import { compareTurn, nextInTurn } from '../src/services/cases/round-robin-order.ts'
import { callerFor } from './helpers/caller.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'

/**
 * Issue #20, assignment settings: the SLA per priority and round-robin (admins), who is
 * on duty (an admin for anyone, an analyst for themself), every refusal naming the
 * field or the person and why; and round-robin's order among the members on duty,
 * under concurrent picks, against real Postgres.
 */
describe('case settings', () => {
  let database: TestDatabase
  let db: Db

  beforeAll(async () => {
    database = await createTestDatabase()
    db = database.db
  })
  afterAll(async () => {
    await database?.drop()
  })

  interface Team {
    orgId: string
    admin: string
    analysts: [string, string, string]
    viewer: string
    removed: string
    offDuty: string
  }

  /** A team: an admin, three analysts, a viewer, a removed analyst and an analyst who stays off duty. */
  async function team(): Promise<Team> {
    const orgId = `org_${randomUUID().slice(0, 8)}`
    await db.organization.create({ data: { id: orgId, name: 'Team' } })
    const person = async (suffix: string, name: string, role: 'ADMIN' | 'ANALYST' | 'VIEWER', removed = false) => {
      const id = `${orgId}_${suffix}`
      await db.user.create({ data: { id, name, email: `${id}@example.test` } })
      await db.membership.create({ data: { orgId, userId: id, role, removedAt: removed ? new Date() : null } })
      return id
    }
    return {
      orgId,
      admin: await person('admin', 'Asha', 'ADMIN'),
      analysts: [await person('a', 'Bina', 'ANALYST'), await person('b', 'Chetan', 'ANALYST'), await person('c', 'Divya', 'ANALYST')],
      viewer: await person('viewer', 'Esha', 'VIEWER'),
      removed: await person('removed', 'Farid', 'ANALYST', true),
      offDuty: await person('off', 'Gita', 'ANALYST'),
    }
  }

  const as = (t: Team, userId: string, role: Session['role'], more: Partial<Session> = {}) =>
    callerFor(db, userId, { orgId: t.orgId, role, name: userId, ...more })

  async function failure(call: Promise<unknown>): Promise<TRPCError> {
    const error = await call.then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(TRPCError)
    return error as TRPCError
  }

  async function fieldErrors(call: Promise<unknown>): Promise<string[]> {
    const error = await failure(call)
    expect(error.code).toBe('BAD_REQUEST')
    return (error.cause as ZodError).issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
  }

  it('reads the defaults, saves SLA minutes and round-robin for an admin, audits the change and moves open cases to their new due time', async () => {
    const t = await team()
    const admin = as(t, t.admin, 'ADMIN')
    expect(await admin.caseSettings.get()).toEqual({ sla: DEFAULT_CASE_SLA_MINUTES, roundRobin: false, onDuty: [] })

    const createdAt = new Date(Date.now() - 60 * 60_000)
    const open = await db.case.create({
      data: { orgId: t.orgId, entityType: 'ACCOUNT', entityId: 'acct-1', priority: 'CRITICAL', createdAt, dueAt: new Date(createdAt.getTime() + 240 * 60_000) },
    })
    const saved = await admin.caseSettings.update({ sla: { CRITICAL: 90, LOW: 5 }, roundRobin: true })
    expect(saved).toEqual({ sla: { ...DEFAULT_CASE_SLA_MINUTES, CRITICAL: 90, LOW: 5 }, roundRobin: true, onDuty: [] })
    expect(await as(t, t.viewer, 'VIEWER').caseSettings.get()).toEqual(saved)
    expect((await db.case.findUniqueOrThrow({ where: { id: open.id } })).dueAt?.getTime()).toBe(createdAt.getTime() + 90 * 60_000)

    const audit = await db.auditLog.findMany({ where: { orgId: t.orgId, action: 'cases.settings' } })
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({
      actor: t.admin,
      oldData: { 'sla.CRITICAL': 240, 'sla.LOW': DEFAULT_CASE_SLA_MINUTES.LOW, roundRobin: false },
      newData: { 'sla.CRITICAL': 90, 'sla.LOW': 5, roundRobin: true, casesRescheduled: 1 },
    })
    // Saving the same values again changes nothing and records nothing.
    await admin.caseSettings.update({ sla: { CRITICAL: 90 }, roundRobin: true })
    expect(await db.auditLog.count({ where: { orgId: t.orgId, action: 'cases.settings' } })).toBe(1)
  })

  it('refuses an SLA out of bounds or not whole minutes, and any unknown field, naming each field with the bounds', async () => {
    const t = await team()
    const admin = as(t, t.admin, 'ADMIN')
    expect(await fieldErrors(admin.caseSettings.update({ sla: { CRITICAL: 4 } }))).toEqual(['sla.CRITICAL: must be at least 5 minutes'])
    expect(await fieldErrors(admin.caseSettings.update({ sla: { LOW: MAX_SLA_MINUTES + 1, HIGH: 1.5 } }))).toEqual([
      `sla.LOW: must be at most ${MAX_SLA_MINUTES} minutes (90 days)`,
      'sla.HIGH: must be a whole number of minutes',
    ])
    const hostile = [
      { sla: { MEDIUM: '60' } },
      { sla: { MEDIUM: null } },
      { sla: { URGENT: 60 } },
      { sla: [60] },
      { roundRobin: 'yes' },
      { sla: {}, admin: true },
      { sla: { CRITICAL: Number.MAX_SAFE_INTEGER * 4 } },
    ]
    const answers = []
    for (const input of hostile) answers.push(await fieldErrors(admin.caseSettings.update(input as never)))
    expect(answers).toEqual([
      ['sla.MEDIUM: must be a number of minutes'],
      ['sla.MEDIUM: must be a number of minutes'],
      [expect.stringMatching(/^sla: Unrecognized key: "URGENT"/)],
      [expect.stringMatching(/^sla: /)],
      ['roundRobin: must be true or false'],
      [expect.stringMatching(/^: Unrecognized key: "admin"/)],
      // Beyond the safe integers zod calls it not whole, as well as too large.
      ['sla.CRITICAL: must be a whole number of minutes', `sla.CRITICAL: must be at most ${MAX_SLA_MINUTES} minutes (90 days)`],
    ])
    // Nothing was saved by any of them.
    expect(await admin.caseSettings.get()).toEqual({ sla: DEFAULT_CASE_SLA_MINUTES, roundRobin: false, onDuty: [] })
  })

  it('lets only an admin change the SLA and round-robin', async () => {
    const t = await team()
    for (const [userId, role, name] of [
      [t.analysts[0], 'ANALYST', 'an analyst'],
      [t.viewer, 'VIEWER', 'a viewer'],
    ] as const) {
      const error = await failure(as(t, userId, role).caseSettings.update({ roundRobin: true }))
      expect(error.code).toBe('FORBIDDEN')
      expect(error.message).toBe(`This needs the admin role; you are ${name} in this organisation`)
    }
    expect((await db.organization.findUniqueOrThrow({ where: { id: t.orgId } })).caseRoundRobin).toBe(false)
  })

  it('puts people on duty: an admin anyone, an analyst themself only; a viewer, a non-member, a removed member and an API key are refused, saying why', async () => {
    const t = await team()
    const [bina, chetan] = t.analysts
    const admin = as(t, t.admin, 'ADMIN')
    expect((await admin.caseSettings.setOnDuty({ userId: chetan, onDuty: true })).onDuty).toEqual([{ id: chetan, name: 'Chetan' }])
    expect((await as(t, bina, 'ANALYST').caseSettings.setOnDuty({ userId: bina, onDuty: true })).onDuty).toEqual([
      { id: bina, name: 'Bina' },
      { id: chetan, name: 'Chetan' },
    ])
    expect(await db.auditLog.count({ where: { orgId: t.orgId, action: 'cases.on_duty' } })).toBe(2)

    const other = await failure(as(t, bina, 'ANALYST').caseSettings.setOnDuty({ userId: chetan, onDuty: false }))
    expect(other.code).toBe('FORBIDDEN')
    expect(other.message).toBe('Only an admin can put someone else on or off duty; you are an analyst and may change only your own')

    const viewerSelf = await failure(as(t, t.viewer, 'VIEWER').caseSettings.setOnDuty({ userId: t.viewer, onDuty: true }))
    expect(viewerSelf.code).toBe('FORBIDDEN')
    expect(viewerSelf.message).toBe('This needs the analyst role; you are a viewer in this organisation')

    const viewerTarget = await failure(admin.caseSettings.setOnDuty({ userId: t.viewer, onDuty: true }))
    expect(viewerTarget.code).toBe('BAD_REQUEST')
    expect(viewerTarget.message).toBe('Esha is a viewer and cannot work cases: make them an analyst first')

    const stranger = await failure(admin.caseSettings.setOnDuty({ userId: 'user_nobody', onDuty: true }))
    expect(stranger.code).toBe('NOT_FOUND')
    expect(stranger.message).toBe('user_nobody is not a member of this organisation')

    const removed = await failure(admin.caseSettings.setOnDuty({ userId: t.removed, onDuty: true }))
    expect(removed.code).toBe('NOT_FOUND')
    expect(removed.message).toBe('Farid was removed from this organisation')

    const key = await failure(
      as(t, t.admin, null, { apiKeyId: 'key_1', scopes: ['anomalies:write'], via: 'apikey' }).caseSettings.setOnDuty({ userId: bina, onDuty: false }),
    )
    expect(key.code).toBe('FORBIDDEN')
    expect(key.message).toBe('Sign in as a member to do this; API keys cannot')

    // A member of another organisation is not a member here.
    const elsewhere = await team()
    const foreign = await failure(admin.caseSettings.setOnDuty({ userId: elsewhere.analysts[0], onDuty: true }))
    expect(foreign.code).toBe('NOT_FOUND')
    expect(await db.membership.count({ where: { orgId: elsewhere.orgId, onDuty: true } })).toBe(0)

    expect(await fieldErrors(admin.caseSettings.setOnDuty({ userId: 'a\u0000b', onDuty: true }))).toEqual([
      'userId: must not contain a NUL character (\\u0000)',
    ])
    expect(await fieldErrors(admin.caseSettings.setOnDuty({ userId: bina, onDuty: 'yes' } as never))).toEqual(['onDuty: must be true or false'])
    expect(await fieldErrors(admin.caseSettings.setOnDuty({ userId: bina, onDuty: true, role: 'ADMIN' } as never))).toEqual([
      expect.stringMatching(/Unrecognized key: "role"/),
    ])
    expect((await admin.caseSettings.get()).onDuty.map((p) => p.id)).toEqual([bina, chetan])
  })

  describe('round-robin', () => {
    it('orders who waited longest first: never assigned, then the oldest, ties by user id', () => {
      const line = [
        { userId: 'c', lastAssignedAt: 5 },
        { userId: 'b', lastAssignedAt: null },
        { userId: 'a', lastAssignedAt: 5 },
        { userId: 'd', lastAssignedAt: 1 },
        { userId: 'e', lastAssignedAt: null },
      ]
      expect([...line].sort(compareTurn).map((c) => c.userId)).toEqual(['b', 'e', 'd', 'a', 'c'])
      expect(nextInTurn(line, 100)).toEqual({ pick: line[1], at: 100 })
      // A clock behind the latest stamp still puts the pick after everyone else.
      expect(nextInTurn(line, 3)).toEqual({ pick: line[1], at: 6 })
      expect(nextInTurn([], 100)).toBeNull()
    })

    async function onDuty(t: Team, ...userIds: string[]): Promise<void> {
      await db.membership.updateMany({ where: { orgId: t.orgId, userId: { in: userIds } }, data: { onDuty: true } })
    }

    const pick = (orgId: string) => db.$transaction((tx) => pickRoundRobinAssignee(tx, orgId))

    it('takes the three analysts on duty in turn, passing over a viewer, a removed member and those off duty', async () => {
      const t = await team()
      // Even on duty, a viewer (demoted while on duty) and a removed member take nothing.
      await onDuty(t, ...t.analysts, t.viewer, t.removed)
      expect(await pick(t.orgId)).toBeNull() // round-robin is off
      await db.organization.update({ where: { id: t.orgId }, data: { caseRoundRobin: true } })

      const picks = []
      for (let i = 0; i < 7; i += 1) picks.push((await pick(t.orgId))!.id)
      const [a, b, c] = t.analysts
      expect(picks).toEqual([a, b, c, a, b, c, a])
      expect(picks).not.toContain(t.offDuty)
      expect((await pick(t.orgId))?.name).toBe('Chetan')

      // Off duty: out of the line; back on: they have waited longest.
      await db.membership.update({ where: { orgId_userId: { orgId: t.orgId, userId: c } }, data: { onDuty: false } })
      expect([(await pick(t.orgId))!.id, (await pick(t.orgId))!.id]).toEqual([a, b])
      await onDuty(t, c)
      expect((await pick(t.orgId))!.id).toBe(c)

      await db.membership.updateMany({ where: { orgId: t.orgId }, data: { onDuty: false } })
      expect(await pick(t.orgId)).toBeNull() // nobody on duty
    })

    it('never gives two concurrent new cases to the same person in a row', async () => {
      const t = await team()
      await onDuty(t, ...t.analysts)
      await db.organization.update({ where: { id: t.orgId }, data: { caseRoundRobin: true } })
      // Six transactions at once, each holding its transaction open a moment after the pick (as case creation does).
      const picks = await Promise.all(
        Array.from({ length: 6 }, () =>
          db.$transaction(async (tx) => {
            const person = await pickRoundRobinAssignee(tx, t.orgId)
            await tx.$executeRaw`SELECT pg_sleep(0.05)`
            return person!.id
          }),
        ),
      )
      const counts = new Map<string, number>()
      for (const id of picks) counts.set(id, (counts.get(id) ?? 0) + 1)
      expect([...counts.values()]).toEqual([2, 2, 2])
      const stamps = await db.membership.findMany({ where: { orgId: t.orgId, onDuty: true }, select: { lastAssignedAt: true } })
      expect(new Set(stamps.map((s) => s.lastAssignedAt?.getTime())).size).toBe(3)
    })
  })
})
