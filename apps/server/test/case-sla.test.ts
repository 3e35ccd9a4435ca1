import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_CASE_SLA_MINUTES, type Severity } from '@anomalyze/shared'
import type { Db } from '../src/db/prisma.ts'
import { enqueueCaseNotice, registerCaseWorkers } from '../src/services/cases/case-notices.ts'
import { loadCaseSla, mergeCaseSla, saveCaseSla } from '../src/services/cases/case-sla.ts'
import { sweepSlaBreaches } from '../src/services/cases/sla-sweep.ts'
import { testLogger } from './helpers/silent-logger.ts'
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'
import { createTestServices, type TestServices } from './helpers/test-services.ts'
import { startTwilioStub, type TwilioStub } from './helpers/twilio-stub.ts'

/**
 * Issue #20, SLA timers: the SLA per priority (defaults, an organisation's own), due
 * times moved when it changes, the sweep that marks a breach exactly once (twice in a
 * row, two at once), and the notices it sends through the real SMTP and Twilio wire
 * paths (smtp-server and the loopback Twilio stub), via pg-boss.
 */
const SID = `AC${'c4'.repeat(16)}`
const TOKEN = 'test-auth-token-cases-0123'
const MINUTE = 60_000

describe('case SLA', () => {
  let database: TestDatabase
  let db: Db
  let services: TestServices
  let smtp: SmtpSink
  let stub: TwilioStub

  beforeAll(async () => {
    database = await createTestDatabase()
    db = database.db
    smtp = await startSmtpSink()
    stub = await startTwilioStub(SID, TOKEN)
    services = await createTestServices({
      databaseUrl: database.url,
      env: {
        SMTP_HOST: smtp.host,
        SMTP_PORT: String(smtp.port),
        SMTP_TLS_VERIFY: 'false',
        TWILIO_ACCOUNT_SID: SID,
        TWILIO_AUTH_TOKEN: TOKEN,
        TWILIO_FROM_NUMBER: '+14155550100',
        TWILIO_API_BASE_URL: stub.url,
      },
    })
  })
  afterAll(async () => {
    await services?.close()
    await smtp?.close()
    await stub?.close()
    await database?.drop()
  })

  const sweepDeps = () => ({ db, jobs: services.jobs, log: testLogger })

  /** A team with an admin and an analyst (both with e-mail addresses). */
  async function team(): Promise<{ orgId: string; admin: string; analyst: string }> {
    const orgId = `org_${randomUUID().slice(0, 8)}`
    const admin = `${orgId}_admin`
    const analyst = `${orgId}_analyst`
    await db.organization.create({ data: { id: orgId, name: `Team ${orgId}` } })
    await db.user.create({ data: { id: admin, name: 'Asha Admin', email: `${admin}@example.test` } })
    await db.user.create({ data: { id: analyst, name: 'Ravi Analyst', email: `${analyst}@example.test` } })
    await db.membership.create({ data: { orgId, userId: admin, role: 'ADMIN' } })
    await db.membership.create({ data: { orgId, userId: analyst, role: 'ANALYST' } })
    return { orgId, admin, analyst }
  }

  interface CaseSeed {
    priority?: Severity
    createdAt?: Date
    dueAt?: Date | null
    status?: 'OPEN' | 'IN_REVIEW' | 'ESCALATED' | 'CLOSED_FRAUD' | 'CLOSED_LEGITIMATE'
    assigneeId?: string | null
    mergedIntoId?: string | null
    breachNotifiedAt?: Date | null
    entityId?: string
  }

  async function seedCase(orgId: string, seed: CaseSeed = {}) {
    const priority = seed.priority ?? 'HIGH'
    const createdAt = seed.createdAt ?? new Date()
    return db.case.create({
      data: {
        orgId,
        entityType: 'ACCOUNT',
        entityId: seed.entityId ?? `acct-${randomUUID().slice(0, 6)}`,
        priority,
        status: seed.status ?? 'OPEN',
        createdAt,
        dueAt: seed.dueAt === undefined ? new Date(createdAt.getTime() + DEFAULT_CASE_SLA_MINUTES[priority] * MINUTE) : seed.dueAt,
        assigneeId: seed.assigneeId ?? null,
        mergedIntoId: seed.mergedIntoId ?? null,
        breachNotifiedAt: seed.breachNotifiedAt ?? null,
      },
    })
  }

  /** Notice jobs pg-boss holds for a case (whatever their state). */
  async function noticeJobs(caseId: string): Promise<number> {
    const { rows } = await services.jobs.boss
      .getDb()
      .executeSql(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'case-notice' AND data->>'caseId' = $1`, [caseId])
    return (rows[0] as { n: number }).n
  }

  it('uses the default SLA for a severity the organisation has not set, and its own minutes where it has', async () => {
    const { orgId } = await team()
    expect(await loadCaseSla(db, orgId)).toEqual(DEFAULT_CASE_SLA_MINUTES)
    await db.caseSla.create({ data: { orgId, severity: 'CRITICAL', minutes: 30 } })
    expect(await loadCaseSla(db, orgId)).toEqual({ ...DEFAULT_CASE_SLA_MINUTES, CRITICAL: 30 })
    // Another organisation's rows are not this one's.
    const other = await team()
    expect(await loadCaseSla(db, other.orgId)).toEqual(DEFAULT_CASE_SLA_MINUTES)
    expect(mergeCaseSla([{ severity: 'LOW', minutes: 99 }]).LOW).toBe(99)
  })

  it("moves the due time of the organisation's open cases of a changed priority to createdAt + the new SLA, and only those", async () => {
    const { orgId } = await team()
    const other = await team()
    const opened = new Date(Date.now() - 3 * 60 * MINUTE)
    const open = await seedCase(orgId, { priority: 'HIGH', createdAt: opened })
    const inReview = await seedCase(orgId, { priority: 'HIGH', createdAt: opened, status: 'IN_REVIEW' })
    const closed = await seedCase(orgId, { priority: 'HIGH', createdAt: opened, status: 'CLOSED_FRAUD' })
    const merged = await seedCase(orgId, { priority: 'HIGH', createdAt: opened, mergedIntoId: open.id })
    const critical = await seedCase(orgId, { priority: 'CRITICAL', createdAt: opened })
    const foreign = await seedCase(other.orgId, { priority: 'HIGH', createdAt: opened })
    // Breached and told (HIGH at 60 minutes, 3 hours ago), then given more time: may breach again.
    const told = await seedCase(orgId, { priority: 'HIGH', createdAt: opened, dueAt: new Date(opened.getTime() + 60 * MINUTE), breachNotifiedAt: new Date() })

    const saved = await db.$transaction((tx) => saveCaseSla(tx, orgId, { HIGH: 8 * 60 }))
    expect(saved.sla).toEqual({ ...DEFAULT_CASE_SLA_MINUTES, HIGH: 480 })
    expect(saved.recomputed).toBe(3)

    const after = async (id: string) => db.case.findUniqueOrThrow({ where: { id } })
    for (const c of [open, inReview, told]) {
      const now = await after(c.id)
      expect(now.dueAt?.getTime(), c.id).toBe(opened.getTime() + 480 * MINUTE)
      expect(now.updatedAt.getTime(), c.id).toBeGreaterThan(c.updatedAt.getTime())
    }
    expect((await after(told.id)).breachNotifiedAt).toBeNull()
    for (const c of [closed, merged, critical, foreign]) {
      const now = await after(c.id)
      expect(now.dueAt, c.id).toEqual(c.dueAt)
      expect(now.updatedAt, c.id).toEqual(c.updatedAt)
    }
    expect(await loadCaseSla(db, other.orgId)).toEqual(DEFAULT_CASE_SLA_MINUTES)

    // Shortened so that the new due time has passed: an earlier notice stands (no second one for the same breach).
    const toldAgain = await db.case.update({ where: { id: told.id }, data: { breachNotifiedAt: new Date() } })
    await db.$transaction((tx) => saveCaseSla(tx, orgId, { HIGH: 30 }))
    const shortened = await after(told.id)
    expect(shortened.dueAt?.getTime()).toBe(opened.getTime() + 30 * MINUTE)
    expect(shortened.breachNotifiedAt).toEqual(toldAgain.breachNotifiedAt)
  })

  it('marks a breached case once: breachNotifiedAt, a sla_breached event by Anomalyze, a fresh updatedAt and one notice; a second sweep marks nothing', async () => {
    const { orgId, analyst } = await team()
    const now = new Date(Date.now() + 10 * 24 * 60 * MINUTE)
    const due = await seedCase(orgId, { priority: 'CRITICAL', assigneeId: analyst })
    const notYet = await seedCase(orgId, { priority: 'LOW', dueAt: new Date(now.getTime() + MINUTE) })
    const closed = await seedCase(orgId, { status: 'CLOSED_LEGITIMATE', dueAt: new Date(Date.now() - MINUTE) })
    const merged = await seedCase(orgId, { mergedIntoId: due.id, dueAt: new Date(Date.now() - MINUTE) })
    const alreadyTold = await seedCase(orgId, { dueAt: new Date(Date.now() - MINUTE), breachNotifiedAt: new Date(Date.now() - 1_000) })
    const noDueTime = await seedCase(orgId, { dueAt: null })

    const first = await sweepSlaBreaches(sweepDeps(), now)
    expect(first.breached).toBeGreaterThanOrEqual(1)
    const marked = await db.case.findUniqueOrThrow({ where: { id: due.id } })
    expect(marked.breachNotifiedAt).toEqual(now)
    expect(marked.updatedAt.getTime()).toBeGreaterThan(due.updatedAt.getTime())
    const events = await db.caseEvent.findMany({ where: { caseId: due.id } })
    expect(events).toMatchObject([{ kind: 'sla_breached', actorId: null, actorName: 'Anomalyze', at: now, data: { dueAt: due.dueAt!.getTime() } }])
    expect(await noticeJobs(due.id)).toBe(1)

    for (const c of [notYet, closed, merged, alreadyTold, noDueTime]) {
      const now2 = await db.case.findUniqueOrThrow({ where: { id: c.id } })
      expect(now2.breachNotifiedAt, c.id).toEqual(c.breachNotifiedAt)
      expect(await db.caseEvent.count({ where: { caseId: c.id } }), c.id).toBe(0)
      expect(await noticeJobs(c.id), c.id).toBe(0)
    }

    const second = await sweepSlaBreaches(sweepDeps(), new Date(now.getTime() + MINUTE))
    expect(await db.caseEvent.count({ where: { caseId: due.id } })).toBe(1)
    expect(await noticeJobs(due.id)).toBe(1)
    expect((await db.case.findUniqueOrThrow({ where: { id: due.id } })).breachNotifiedAt).toEqual(now)
    // Whatever other tests left due is not this one's concern; this case was not marked again.
    expect(second.breached).toBeGreaterThanOrEqual(0)
  })

  it('marks each breach exactly once when two sweeps (two server instances) run at the same moment', async () => {
    const { orgId, analyst } = await team()
    const past = new Date(Date.now() - 5 * MINUTE)
    const cases = []
    for (let i = 0; i < 40; i += 1) cases.push(await seedCase(orgId, { priority: 'MEDIUM', dueAt: past, assigneeId: i % 2 === 0 ? analyst : null }))
    const now = new Date()
    await Promise.all([sweepSlaBreaches(sweepDeps(), now), sweepSlaBreaches(sweepDeps(), now), sweepSlaBreaches(sweepDeps(), now)])
    const ids = cases.map((c) => c.id)
    const events = await db.caseEvent.groupBy({ by: ['caseId'], where: { caseId: { in: ids }, kind: 'sla_breached' }, _count: { _all: true } })
    expect(events).toHaveLength(40)
    expect(events.every((e) => e._count._all === 1)).toBe(true)
    for (const id of ids) expect(await noticeJobs(id), id).toBe(1)
    expect(await db.case.count({ where: { id: { in: ids }, breachNotifiedAt: null } })).toBe(0)
  })

  describe('notices (workers running)', () => {
    beforeAll(async () => {
      await registerCaseWorkers({ ...services, db, log: testLogger })
    })

    /** Waits (bounded) for a message to reach `address`; the test asserts what arrived, never how fast. */
    async function mailTo(address: string, count = 1) {
      for (let i = 0; i < 200 && smtp.messages.filter((m) => m.to.includes(address)).length < count; i += 1) await sleep(100)
      return smtp.messages.filter((m) => m.to.includes(address))
    }

    it("e-mails the assignee of a breached case at their address, with the case's entity, priority, due time and a link, and texts a CRITICAL breach to the alert number", async () => {
      const { orgId, analyst } = await team()
      await db.notificationSettings.create({ data: { orgId, email: 'alerts@example.test', phone: '+919800000042', smsEnabled: true } })
      const dueAt = new Date(Date.now() - 2 * MINUTE)
      const c = await seedCase(orgId, { priority: 'CRITICAL', assigneeId: analyst, dueAt, entityId: 'acct-<b>7</b>' })
      const smsBefore = stub.requests.length
      await sweepSlaBreaches(sweepDeps(), new Date())

      const [mail, extra] = await mailTo(`${analyst}@example.test`)
      expect(extra).toBeUndefined()
      expect(mail!.subject).toContain('SLA breached')
      expect(mail!.subject).toContain('CRITICAL')
      expect(mail!.decoded).toContain('account acct-<b>7</b>')
      expect(mail!.decoded).toContain('account acct-&lt;b&gt;7&lt;/b&gt;')
      expect(mail!.decoded).toContain(`${dueAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`)
      expect(mail!.decoded).toContain(`${services.publicUrl()}/cases/${c.id}`)
      expect(mail!.decoded).toContain('Ravi Analyst')
      // Nobody else was written to about it (the admin is told only when nobody holds the case).
      expect(smtp.messages.filter((m) => m.to.includes(`${orgId}_admin@example.test`))).toEqual([])

      for (let i = 0; i < 200 && stub.requests.length === smsBefore; i += 1) await sleep(100)
      const sms = stub.requests.slice(smsBefore).filter((r) => r.form.To === '+919800000042')
      expect(sms).toHaveLength(1)
      expect(sms[0]!.path).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`)
      expect(sms[0]!.form.Body).toContain('CRITICAL case breached its SLA: account acct-<b>7</b>')
      expect(sms[0]!.form.Body).toContain(`${services.publicUrl()}/cases/${c.id}`)
    })

    it("e-mails the organisation's admins when a breached case has nobody, and sends no SMS for a MEDIUM case", async () => {
      const { orgId, admin } = await team()
      await db.notificationSettings.create({ data: { orgId, email: 'alerts@example.test', phone: '+919800000043', smsEnabled: true } })
      const c = await seedCase(orgId, { priority: 'MEDIUM', dueAt: new Date(Date.now() - MINUTE), entityId: 'acct-unheld' })
      await sweepSlaBreaches(sweepDeps(), new Date())
      const [mail] = await mailTo(`${admin}@example.test`)
      expect(mail!.subject).toContain('(unassigned)')
      expect(mail!.decoded).toContain('account acct-unheld')
      expect(mail!.decoded).toContain(c.id)
      expect(smtp.messages.filter((m) => m.to.includes(`${orgId}_analyst@example.test`))).toEqual([])
      // The notice became exactly one message (the e-mail): no SMS was planned for a MEDIUM breach.
      const { rows } = await services.jobs.boss
        .getDb()
        .executeSql(`SELECT data->>'channel' AS channel FROM pgboss.job WHERE name = 'case-notice-message' AND data->>'caseId' = $1`, [c.id])
      expect(rows).toEqual([{ channel: 'EMAIL' }])
      expect(stub.requests.filter((r) => r.form.To === '+919800000043')).toEqual([])
    })

    it('retries a message the mail server refused, without writing twice to the admin it already reached', async () => {
      const { orgId, admin } = await team()
      const second = `${orgId}_admin2`
      await db.user.create({ data: { id: second, name: 'Second Admin', email: `${second}@example.test` } })
      await db.membership.create({ data: { orgId, userId: second, role: 'ADMIN' } })
      const c = await seedCase(orgId, { priority: 'LOW', dueAt: new Date(Date.now() - MINUTE), entityId: 'acct-retried' })
      smtp.refuseNext(1)
      await sweepSlaBreaches(sweepDeps(), new Date())
      await mailTo(`${admin}@example.test`)
      await mailTo(`${second}@example.test`)
      // Both message jobs done (one on its second attempt): nothing more is coming.
      let states: { state: string; retrycount: number }[] = []
      for (let i = 0; i < 200 && !(states.length === 2 && states.every((j) => j.state === 'completed')); i += 1) {
        await sleep(100)
        const { rows } = await services.jobs.boss
          .getDb()
          .executeSql(`SELECT state::text AS state, retry_count AS retrycount FROM pgboss.job WHERE name = 'case-notice-message' AND data->>'caseId' = $1`, [
            c.id,
          ])
        states = rows as typeof states
      }
      expect(states.map((j) => j.state)).toEqual(['completed', 'completed'])
      expect(states.map((j) => j.retrycount).sort()).toEqual([0, 1])
      expect(smtp.messages.filter((m) => m.to.includes(`${admin}@example.test`))).toHaveLength(1)
      expect(smtp.messages.filter((m) => m.to.includes(`${second}@example.test`))).toHaveLength(1)
    })

    it('e-mails an assignment to the new assignee, naming who assigned it', async () => {
      const { orgId, analyst } = await team()
      const c = await seedCase(orgId, { priority: 'LOW', assigneeId: analyst, entityId: 'acct-handed-over' })
      await enqueueCaseNotice(services.jobs, { orgId, caseId: c.id, kind: 'assigned', assigneeId: analyst, byName: 'Asha Admin' })
      const [mail] = await mailTo(`${analyst}@example.test`)
      expect(mail!.subject).toBe('[Anomalyze] LOW case assigned to you: account acct-handed-over')
      expect(mail!.decoded).toContain('Asha Admin assigned a case to you.')
      expect(mail!.decoded).toContain(`${services.publicUrl()}/cases/${c.id}`)
    })

    it('skips an assignee without an e-mail address (logged), and the notice job completes instead of retrying', async () => {
      const { orgId } = await team()
      const quiet = `${orgId}_quiet`
      await db.user.create({ data: { id: quiet, name: 'No Mail' } })
      await db.membership.create({ data: { orgId, userId: quiet, role: 'ANALYST' } })
      const c = await seedCase(orgId, { assigneeId: quiet })
      await enqueueCaseNotice(services.jobs, { orgId, caseId: c.id, kind: 'assigned', assigneeId: quiet })
      let state: string | undefined
      for (let i = 0; i < 200 && state !== 'completed' && state !== 'failed'; i += 1) {
        await sleep(100)
        const { rows } = await services.jobs.boss
          .getDb()
          .executeSql(`SELECT state::text AS state FROM pgboss.job WHERE name = 'case-notice' AND data->>'caseId' = $1`, [c.id])
        state = (rows[0] as { state: string } | undefined)?.state
      }
      expect(state).toBe('completed')
      const { rows: messages } = await services.jobs.boss
        .getDb()
        .executeSql(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'case-notice-message' AND data->>'caseId' = $1`, [c.id])
      expect((messages[0] as { n: number }).n).toBe(0)
    })
  })
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
