import { buffer } from 'node:stream/consumers'
import { TRPCError } from '@trpc/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ZodError } from 'zod'
import { csvRecords } from '@anomalyze/shared/node'
import type { Prisma } from '../src/db/prisma.ts'
import { ensurePersonalWorkspace } from '../src/services/organizations/workspaces.ts'
import { caseEventDetail } from '../src/services/reports/case-event-detail.ts'
import { registerReportWorkers } from '../src/services/reports/register-report-workers.ts'
import { runReport } from '../src/services/reports/run-report.ts'
import { callerFor } from './helpers/caller.ts'
import { testLogger } from './helpers/silent-logger.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'
import { createTestServices, type TestServices } from './helpers/test-services.ts'

/**
 * The CASES report end to end on a real Postgres and pg-boss: cases open during the
 * period with their timelines, one CSV line per event, read back with the shared CSV
 * reader and compared with the rows the test wrote; text from analysts is quoted and
 * kept from running as a spreadsheet formula.
 */
const ORG = 'user_reports_cases'
const OTHER = 'user_reports_cases_other'
const ASHA = { id: 'user_asha_rc', name: 'Asha Rao' }
const utc = (text: string) => new Date(text)

describe('reports: cases', () => {
  let database: TestDatabase
  let services: TestServices
  let closedCase = ''
  let openCase = ''
  const caller = () => callerFor(database.db, ORG, {}, services)

  beforeAll(async () => {
    database = await createTestDatabase()
    services = await createTestServices({ databaseUrl: database.url })
    await registerReportWorkers({ ...services, db: database.db, log: testLogger })
    const { db } = database
    await ensurePersonalWorkspace(db, { id: ORG, name: ORG })
    await ensurePersonalWorkspace(db, { id: OTHER, name: OTHER })
    await db.user.create({ data: ASHA })
    const aCase = (orgId: string, data: Record<string, unknown>) =>
      db.case.create({ data: { orgId, entityType: 'ACCOUNT', entityId: 'acct-1', status: 'OPEN', priority: 'HIGH', ...data } })

    const c1 = await aCase(ORG, {
      status: 'CLOSED_FRAUD',
      priority: 'CRITICAL',
      assigneeId: ASHA.id,
      createdAt: utc('2026-01-05T09:00:00Z'),
      dueAt: utc('2026-01-05T13:00:00Z'),
      closedAt: utc('2026-01-08T10:00:00Z'),
      closedById: ASHA.id,
    })
    closedCase = c1.id
    const event = (kind: string, at: string, data: Prisma.InputJsonObject, actor: { id: string; name: string } | null = ASHA) =>
      db.caseEvent.create({ data: { orgId: ORG, caseId: c1.id, kind, actorId: actor?.id ?? null, actorName: actor?.name ?? 'Anomalyze', at: utc(at), data } })
    // Written out of order: the report orders them by time.
    await event('closed', '2026-01-08T10:00:00Z', { status: 'CLOSED_FRAUD', note: 'card blocked, "confirmed"', decidedCount: 2 })
    await event('opened', '2026-01-05T09:00:00Z', { entityType: 'ACCOUNT', entityId: 'acct-1', by: 'ingestion' }, null)
    await event('alerts_added', '2026-01-05T09:00:01Z', { anomalyIds: ['an-1', 'an-2'], count: 2 }, null)
    await event('assigned', '2026-01-05T10:00:00Z', { assignee: ASHA, previous: null, how: 'claim' })
    await event('comment', '2026-01-06T08:00:00Z', { text: '=HYPERLINK("http://evil")\nsecond line' })
    await event('claim_refused', '2026-01-06T09:00:00Z', { heldBy: ASHA }, { id: 'user_ben_rc', name: 'Ben' })
    await event('sla_breached', '2026-01-05T13:00:00Z', { dueAt: Date.UTC(2026, 0, 5, 13) }, null)

    const c2 = await aCase(ORG, { entityType: 'MERCHANT', entityId: 'M-1', createdAt: utc('2026-01-20T00:00:00Z') })
    openCase = c2.id
    // Out of the period: closed before it, opened after it; merged; another organisation's.
    await aCase(ORG, { status: 'CLOSED_LEGITIMATE', createdAt: utc('2025-12-01T00:00:00Z'), closedAt: utc('2025-12-10T00:00:00Z') })
    await aCase(ORG, { createdAt: utc('2026-02-10T00:00:00Z') })
    await aCase(ORG, { createdAt: utc('2026-01-10T00:00:00Z'), mergedIntoId: c1.id })
    await aCase(OTHER, { createdAt: utc('2026-01-10T00:00:00Z') })
  })
  afterAll(async () => {
    await services.close()
    await database.drop()
  })

  async function waitForReport(id: string) {
    for (let i = 0; i < 240; i += 1) {
      const report = await caller().reports.get({ id })
      if (report.status === 'COMPLETED' || report.status === 'FAILED') return report
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    throw new Error(`report ${id} did not finish in 60 s`)
  }

  async function readCsv(id: string): Promise<{ text: string; rows: string[][] }> {
    const stored = await database.db.report.findUniqueOrThrow({ where: { id } })
    const text = (await buffer(await services.storage.get(stored.fileUrl ?? ''))).toString('utf8')
    const rows: string[][] = []
    for await (const batch of csvRecords(await services.storage.get(stored.fileUrl ?? ''))) rows.push(...batch.map((r) => r.values))
    return { text, rows }
  }

  it('exports the cases open in the period, one line per timeline event, in time order', async () => {
    const created = await caller().reports.create({ type: 'CASES', format: 'CSV', parameters: { filters: { from: '2026-01-01', to: '2026-02-01' } } })
    const done = await waitForReport(created.id)
    expect(done).toMatchObject({ status: 'COMPLETED', rowCount: 8, fileName: expect.stringMatching(/^cases-\d{4}-\d{2}-\d{2}\.csv$/) })
    const { rows, text } = await readCsv(created.id)
    const c1 = [
      closedCase,
      'ACCOUNT',
      'acct-1',
      'CLOSED_FRAUD',
      'CRITICAL',
      'Asha Rao',
      '2026-01-05T09:00:00.000Z',
      '2026-01-05T13:00:00.000Z',
      '2026-01-08T10:00:00.000Z',
    ]
    expect(rows).toEqual([
      [
        'case_id',
        'entity_type',
        'entity_id',
        'status',
        'priority',
        'assignee',
        'opened_at',
        'due_at',
        'closed_at',
        'event_at',
        'event_kind',
        'actor',
        'detail',
      ],
      [...c1, '2026-01-05T09:00:00.000Z', 'opened', 'Anomalyze', 'opened by ingestion for ACCOUNT acct-1'],
      [...c1, '2026-01-05T09:00:01.000Z', 'alerts_added', 'Anomalyze', '2 alert(s) added: an-1 an-2'],
      [...c1, '2026-01-05T10:00:00.000Z', 'assigned', 'Asha Rao', 'assigned to Asha Rao by claim'],
      [...c1, '2026-01-05T13:00:00.000Z', 'sla_breached', 'Anomalyze', 'SLA breached, due 2026-01-05T13:00:00.000Z'],
      // The analyst's text starts with "=": kept from running as a formula.
      [...c1, '2026-01-06T08:00:00.000Z', 'comment', 'Asha Rao', `'=HYPERLINK("http://evil")\nsecond line`],
      [...c1, '2026-01-06T09:00:00.000Z', 'claim_refused', 'Ben', 'claim refused: held by Asha Rao'],
      [...c1, '2026-01-08T10:00:00.000Z', 'closed', 'Asha Rao', 'closed CLOSED_FRAUD, 2 alert(s) decided: card blocked, "confirmed"'],
      [openCase, 'MERCHANT', 'M-1', 'OPEN', 'HIGH', '', '2026-01-20T00:00:00.000Z', '', '', '', '', '', ''],
    ])
    expect(text).toContain(`"'=HYPERLINK(""http://evil"")\nsecond line"`)

    // Filtered by status: only the open case.
    const open = await caller().reports.create({ type: 'CASES', format: 'CSV', parameters: { filters: { statuses: ['OPEN', 'IN_REVIEW'], to: '2026-02-01' } } })
    expect(await waitForReport(open.id)).toMatchObject({ status: 'COMPLETED', rowCount: 1 })
    expect((await readCsv(open.id)).rows.slice(1).map((r) => r[0])).toEqual([openCase])
  })

  it('streams the same file a few rows per page', async () => {
    const created = await caller().reports.create({ type: 'CASES', format: 'CSV', parameters: { filters: { from: '2026-01-01', to: '2026-02-01' } } })
    const whole = await readCsv((await waitForReport(created.id)).id)
    const again = await database.db.report.create({
      data: { orgId: ORG, type: 'CASES', format: 'CSV', parameters: { filters: { from: '2026-01-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z' } } },
    })
    const outcome = await runReport({ db: database.db, storage: services.storage, log: testLogger, cursor: { pageSize: 3 } }, again.id)
    expect(outcome).toMatchObject({ status: 'COMPLETED', rowCount: 8 })
    expect((await readCsv(again.id)).text).toBe(whole.text)
  })

  it('refuses a bad status, an unknown filter and another format, naming the field', async () => {
    const issues = async (input: unknown) => {
      const error = await caller()
        .reports.create(input as never)
        .then(
          () => null,
          (e: unknown) => e,
        )
      expect(error).toBeInstanceOf(TRPCError)
      expect((error as TRPCError).cause).toBeInstanceOf(ZodError)
      return ((error as TRPCError).cause as ZodError).issues.map((i) => i.path.join('.'))
    }
    expect(await issues({ type: 'CASES', format: 'CSV', parameters: { filters: { statuses: ['SHUT'] } } })).toEqual(['parameters.filters.statuses.0'])
    expect(await issues({ type: 'CASES', format: 'CSV', parameters: { filters: { assignee: 'x' } } })).toEqual(['parameters.filters'])
    expect(await issues({ type: 'CASES', format: 'CSV', parameters: { filters: { from: '2026-02-01', to: '2026-01-01' } } })).toEqual([
      'parameters.filters.from',
    ])
    expect(await issues({ type: 'CASES', format: 'PDF' })).toEqual(['format'])
  })

  it('describes every kind of event in words, and unknown data as it is', () => {
    expect(caseEventDetail('unassigned', { previous: ASHA })).toBe('unassigned from Asha Rao')
    expect(caseEventDetail('status', { from: 'OPEN', to: 'ESCALATED' })).toBe('OPEN -> ESCALATED')
    expect(caseEventDetail('reopened', { from: 'CLOSED_FRAUD', to: 'OPEN' })).toBe('CLOSED_FRAUD -> OPEN')
    expect(caseEventDetail('decision', { anomalyIds: ['a', 'b', 'c'], label: 'FALSE_POSITIVE', note: null })).toBe('FALSE_POSITIVE on 3 alert(s)')
    expect(caseEventDetail('merged', { from: ['c-1', 'c-2'] })).toBe('merged from c-1 c-2')
    expect(caseEventDetail('merged', { into: 'c-9' })).toBe('merged into c-9')
    expect(caseEventDetail('split', { to: 'c-3', anomalyIds: ['a'] })).toBe('split 1 alert(s) to c-3')
    expect(caseEventDetail('split', { from: 'c-1', anomalyIds: ['a', 'b'] })).toBe('split 2 alert(s) from c-1')
    expect(caseEventDetail('close_refused', { closedBy: ASHA, status: 'CLOSED_LEGITIMATE', note: 'was mine' })).toBe(
      'close refused (CLOSED_LEGITIMATE): closed by Asha Rao: was mine',
    )
    expect(caseEventDetail('assigned', { assignee: ASHA, previous: { id: 'u', name: 'Ben' }, how: 'round_robin' })).toBe(
      'assigned to Asha Rao (was Ben) by round_robin',
    )
    expect(caseEventDetail('something_new', { a: 1 })).toBe('{"a":1}')
    expect(caseEventDetail('comment', null)).toBe('')
  })
})
