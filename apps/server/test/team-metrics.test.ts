import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TTeamMetrics } from '@anomalyze/shared'
import { ensurePersonalWorkspace } from '../src/services/organizations/workspaces.ts'
import { callerFor } from './helpers/caller.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'

/**
 * team.metrics on a small hand-built team (cases, timeline events, alerts and
 * decisions, plus another organisation's rows that must not count), against a real
 * Postgres through the tRPC caller. The scenario is declared as data; the expected
 * figures are worked out from it here, by the metrics' definitions, in plain code.
 * Times sit hours away from every boundary, so the moment the server reads its clock
 * does not matter.
 */
const ORG = 'user_team_lead'
const OTHER = 'user_team_other'
const HOUR = 3_600_000
const DAY = 24 * HOUR
const NOW = Date.now()
const ago = (ms: number) => NOW - ms

interface CaseSpec {
  status: 'OPEN' | 'IN_REVIEW' | 'ESCALATED' | 'CLOSED_FRAUD' | 'CLOSED_LEGITIMATE'
  opened: number
  due?: number
  merged?: boolean
  closedAt?: number
  closedBy?: string
  org?: string
}
interface LabelSpec {
  label: 'CONFIRMED_FRAUD' | 'FALSE_POSITIVE' | 'NEEDS_REVIEW'
  at: number
  superseded?: boolean
}
interface AlertSpec {
  status: 'OPEN' | 'NEEDS_REVIEW' | 'CONFIRMED_FRAUD' | 'FALSE_POSITIVE'
  created: number
  rules: string[]
  model: string | null
  labels: LabelSpec[]
  org?: string
}

const PEOPLE = [
  { id: 'user_asha', name: 'Asha Rao', email: 'asha@example.com' },
  { id: 'user_ben', name: null, email: 'ben@example.com' },
]
const nameOf = (id: string) => {
  const p = PEOPLE.find((q) => q.id === id)!
  return p.name ?? p.email
}

const CASES: CaseSpec[] = [
  { status: 'OPEN', opened: ago(2 * HOUR), due: ago(HOUR) },
  { status: 'OPEN', opened: ago(2 * DAY), due: ago(-2 * HOUR) },
  { status: 'ESCALATED', opened: ago(5 * DAY), due: ago(-10 * HOUR) },
  { status: 'OPEN', opened: ago(10 * DAY) },
  { status: 'IN_REVIEW', opened: ago(10 * DAY), due: ago(3 * DAY) },
  // Merged into another: left out of every figure.
  { status: 'OPEN', opened: ago(HOUR), due: ago(HOUR / 2), merged: true },
  { status: 'CLOSED_FRAUD', opened: ago(6 * DAY), closedAt: ago(3 * DAY + 2 * HOUR), closedBy: 'user_asha' },
  { status: 'CLOSED_LEGITIMATE', opened: ago(6 * DAY), closedAt: ago(3 * DAY + 3 * HOUR), closedBy: 'user_asha' },
  // More than a day before Ben's next close: two calendar days whatever the time of day the test runs.
  { status: 'CLOSED_LEGITIMATE', opened: ago(6 * DAY), closedAt: ago(2 * DAY + 2 * HOUR), closedBy: 'user_ben' },
  { status: 'CLOSED_FRAUD', opened: ago(6 * DAY), closedAt: ago(5 * HOUR), closedBy: 'user_ben' },
  { status: 'CLOSED_FRAUD', opened: ago(50 * DAY), closedAt: ago(40 * DAY), closedBy: 'user_asha' },
  { status: 'CLOSED_FRAUD', opened: ago(6 * DAY), closedAt: ago(2 * DAY) },
  { status: 'OPEN', opened: ago(2 * HOUR), due: ago(HOUR), org: OTHER },
  { status: 'CLOSED_FRAUD', opened: ago(6 * DAY), closedAt: ago(2 * DAY), closedBy: 'user_asha', org: OTHER },
]
/** sla_breached events, by when. */
const BREACHES: { at: number; org?: string }[] = [{ at: ago(2 * DAY) }, { at: ago(6 * HOUR) }, { at: ago(40 * DAY) }, { at: ago(DAY), org: OTHER }]

const ALERTS: AlertSpec[] = [
  { status: 'FALSE_POSITIVE', created: ago(10 * HOUR), rules: ['AMOUNT_SPIKE'], model: 'v1', labels: [{ label: 'FALSE_POSITIVE', at: ago(9 * HOUR) }] },
  {
    status: 'CONFIRMED_FRAUD',
    created: ago(20 * HOUR),
    rules: ['AMOUNT_SPIKE', 'NEW_MERCHANT'],
    model: 'v1',
    labels: [
      { label: 'FALSE_POSITIVE', at: ago(17 * HOUR), superseded: true },
      { label: 'CONFIRMED_FRAUD', at: ago(HOUR) },
    ],
  },
  { status: 'FALSE_POSITIVE', created: ago(5 * DAY), rules: [], model: 'v2', labels: [{ label: 'FALSE_POSITIVE', at: ago(4 * DAY) }] },
  {
    status: 'FALSE_POSITIVE',
    created: ago(60 * DAY),
    rules: ['NEW_MERCHANT'],
    model: null,
    labels: [
      { label: 'CONFIRMED_FRAUD', at: ago(50 * DAY), superseded: true },
      { label: 'FALSE_POSITIVE', at: ago(DAY + 5 * HOUR) },
    ],
  },
  // Decided on an analyst's clock running behind: counts as no time at all.
  { status: 'NEEDS_REVIEW', created: ago(2 * HOUR), rules: ['AMOUNT_SPIKE'], model: 'v1', labels: [{ label: 'NEEDS_REVIEW', at: ago(3 * HOUR) }] },
  { status: 'CONFIRMED_FRAUD', created: ago(50 * DAY), rules: ['AMOUNT_SPIKE'], model: 'v2', labels: [{ label: 'CONFIRMED_FRAUD', at: ago(45 * DAY) }] },
  { status: 'OPEN', created: ago(HOUR), rules: ['AMOUNT_SPIKE'], model: 'v1', labels: [] },
  {
    status: 'FALSE_POSITIVE',
    created: ago(3 * HOUR),
    rules: ['AMOUNT_SPIKE'],
    model: 'v1',
    labels: [{ label: 'FALSE_POSITIVE', at: ago(2 * HOUR) }],
    org: OTHER,
  },
]

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const pos = p * (sorted.length - 1)
  const lo = Math.floor(pos)
  return (sorted[lo] as number) + ((sorted[Math.ceil(pos)] as number) - (sorted[lo] as number)) * (pos - lo)
}

/** The figures by the definitions, from the scenario. */
function expected(days: number): TTeamMetrics {
  const start = NOW - days * DAY
  const inPeriod = (t: number) => t >= start && t <= NOW
  const ours = <T extends { org?: string }>(rows: T[]) => rows.filter((r) => r.org === undefined)
  const open = ours(CASES).filter((c) => ['OPEN', 'IN_REVIEW', 'ESCALATED'].includes(c.status) && !c.merged)
  const bucket = (age: number) => (age < DAY ? '<1d' : age < 3 * DAY ? '1-3d' : age < 7 * DAY ? '3-7d' : '>7d')
  const closed = new Map<string, { day: string; analyst: { id: string; name: string }; count: number }>()
  for (const c of ours(CASES)) {
    if (!c.status.startsWith('CLOSED') || c.merged || c.closedBy === undefined || !inPeriod(c.closedAt!)) continue
    const day = new Date(c.closedAt!).toISOString().slice(0, 10)
    const key = `${day}|${c.closedBy}`
    const entry = closed.get(key) ?? { day, analyst: { id: c.closedBy, name: nameOf(c.closedBy) }, count: 0 }
    entry.count += 1
    closed.set(key, entry)
  }
  const firstDecisions = ours(ALERTS)
    .filter((a) => a.labels.length > 0)
    .map((a) => ({ a, first: Math.min(...a.labels.map((l) => l.at)) }))
    .filter(({ first }) => inPeriod(first))
    .map(({ a, first }) => Math.max(0, first - a.created))
  const decided = ours(ALERTS).filter((a) => {
    const inForce = a.labels.filter((l) => !l.superseded).sort((x, y) => y.at - x.at)[0]
    return (a.status === 'CONFIRMED_FRAUD' || a.status === 'FALSE_POSITIVE') && inForce !== undefined && inPeriod(inForce.at)
  })
  const rates = (keysOf: (a: AlertSpec) => string[]) => {
    const by = new Map<string, { decided: number; falsePositives: number }>()
    for (const a of decided) {
      for (const key of keysOf(a)) {
        const entry = by.get(key) ?? { decided: 0, falsePositives: 0 }
        entry.decided += 1
        if (a.status === 'FALSE_POSITIVE') entry.falsePositives += 1
        by.set(key, entry)
      }
    }
    return [...by].map(([key, e]) => ({ key, ...e, rate: e.falsePositives / e.decided })).sort((x, y) => y.decided - x.decided || (x.key < y.key ? -1 : 1))
  }
  return {
    openByAge: ['<1d', '1-3d', '3-7d', '>7d'].map((b) => ({ bucket: b, count: open.filter((c) => bucket(NOW - c.opened) === b).length })),
    sla: {
      openOverdue: open.filter((c) => c.due !== undefined && c.due <= NOW).length,
      dueSoon: open.filter((c) => c.due !== undefined && c.due > NOW && c.due <= NOW + 4 * HOUR).length,
      breachedInPeriod: ours(BREACHES).filter((b) => inPeriod(b.at)).length,
    },
    closedPerAnalyst: [...closed.values()].sort((x, y) => (x.day !== y.day ? (x.day < y.day ? -1 : 1) : x.analyst.name < y.analyst.name ? -1 : 1)),
    medianTimeToDecisionMs: percentile(firstDecisions, 0.5),
    falsePositiveByRule: rates((a) => (a.rules.length === 0 ? ['model only'] : a.rules)),
    falsePositiveByModel: rates((a) => [a.model ?? 'unknown']),
  }
}

describe('team metrics', () => {
  let database: TestDatabase

  beforeAll(async () => {
    database = await createTestDatabase()
    const { db } = database
    await ensurePersonalWorkspace(db, { id: ORG, name: 'Team lead' })
    await ensurePersonalWorkspace(db, { id: OTHER, name: 'Other' })
    for (const p of PEOPLE) await db.user.create({ data: p })
    let mergeTarget: string | null = null
    for (const c of CASES) {
      const created: { id: string } = await db.case.create({
        data: {
          orgId: c.org ?? ORG,
          entityType: 'ACCOUNT',
          entityId: randomUUID(),
          status: c.status,
          priority: 'HIGH',
          createdAt: new Date(c.opened),
          dueAt: c.due === undefined ? null : new Date(c.due),
          mergedIntoId: c.merged ? mergeTarget : null,
          closedAt: c.closedAt === undefined ? null : new Date(c.closedAt),
          closedById: c.closedBy ?? null,
        },
      })
      mergeTarget ??= created.id
    }
    const anyCase = await db.case.findFirstOrThrow({ where: { orgId: ORG } })
    const otherCase = await db.case.findFirstOrThrow({ where: { orgId: OTHER } })
    for (const b of BREACHES) {
      const orgId = b.org ?? ORG
      await db.caseEvent.create({
        data: {
          orgId,
          caseId: orgId === ORG ? anyCase.id : otherCase.id,
          kind: 'sla_breached',
          actorName: 'Anomalyze',
          at: new Date(b.at),
          data: { dueAt: b.at },
        },
      })
    }
    // A comment in the period: not a breach.
    await db.caseEvent.create({
      data: { orgId: ORG, caseId: anyCase.id, kind: 'comment', actorName: 'Asha Rao', at: new Date(ago(HOUR)), data: { text: 'x' } },
    })
    for (const [i, a] of ALERTS.entries()) {
      const orgId = a.org ?? ORG
      const t = await db.transaction.create({
        data: { orgId, txId: `tm-${i}`, timestamp: new Date(a.created), amount: 10, currency: 'INR', accountId: 'a', merchantId: 'm', source: 'REALTIME_API' },
      })
      const anomaly = await db.anomaly.create({
        data: {
          orgId,
          transactionId: t.id,
          score: 0.9,
          severity: 'HIGH',
          ruleViolations: a.rules,
          explanation: 'x',
          modelVersion: a.model,
          status: a.status,
          createdAt: new Date(a.created),
        },
      })
      for (const l of a.labels) {
        await db.anomalyLabel.create({
          data: {
            orgId,
            anomalyId: anomaly.id,
            label: l.label,
            decidedBy: 'someone',
            decidedAt: new Date(l.at),
            supersededAt: l.superseded ? new Date(ago(0)) : null,
            mutationId: randomUUID(),
          },
        })
      }
    }
  })
  afterAll(async () => {
    await database.drop()
  })

  it('reports the last 30 days: open cases by age, SLA, closed per analyst, time to decision, false positives by rule and model', async () => {
    const metrics = await callerFor(database.db, ORG).team.metrics({ days: 30 })
    const want = expected(30)
    // The scenario exercises every figure (a zero would pass for a query that finds nothing).
    expect(want.openByAge.every((b) => b.count > 0)).toBe(true)
    expect(Object.values(want.sla).every((n) => n > 0)).toBe(true)
    expect(want.closedPerAnalyst.length).toBeGreaterThan(2)
    expect(want.falsePositiveByRule.map((r) => r.key)).toContain('model only')
    expect(want.falsePositiveByModel.map((r) => r.key)).toContain('unknown')
    expect(metrics).toEqual({ ...want, medianTimeToDecisionMs: expect.closeTo(want.medianTimeToDecisionMs!, 0) })
  })

  it('narrows to the period asked for', async () => {
    const metrics = await callerFor(database.db, ORG).team.metrics({ days: 1 })
    const want = expected(1)
    expect(want.closedPerAnalyst).not.toEqual(expected(30).closedPerAnalyst)
    expect(metrics).toEqual({ ...want, medianTimeToDecisionMs: expect.closeTo(want.medianTimeToDecisionMs!, 0) })
  })

  it('refuses a period out of bounds, naming the field', async () => {
    await expect(callerFor(database.db, ORG).team.metrics({ days: 0 })).rejects.toMatchObject({ code: 'BAD_REQUEST' })
    await expect(callerFor(database.db, ORG).team.metrics({ days: 366 })).rejects.toMatchObject({ code: 'BAD_REQUEST' })
  })

  it("counts nothing of another organisation's", async () => {
    const theirs = await callerFor(database.db, OTHER).team.metrics({ days: 30 })
    expect(theirs.sla).toEqual({ openOverdue: 1, dueSoon: 0, breachedInPeriod: 1 })
    expect(theirs.closedPerAnalyst).toEqual([
      { day: new Date(ago(2 * DAY)).toISOString().slice(0, 10), analyst: { id: 'user_asha', name: 'Asha Rao' }, count: 1 },
    ])
    expect(theirs.falsePositiveByRule).toEqual([{ key: 'AMOUNT_SPIKE', decided: 1, falsePositives: 1, rate: 1 }])
  })
})
