import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TCaseAction } from '@anomalyze/shared'
import { action, createCaseTeam, ingestAlerts } from './cases-fixtures.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'
import { createTestServices, type TestServices } from './helpers/test-services.ts'

/**
 * Issue #20, point 2: new cases go round-robin to the analysts on duty when the
 * organisation asks for it (and only then), and a member a case is handed to is told
 * (an `assigned` notice job), unless they took it themselves.
 */
describe('case assignment: round-robin at ingestion, notices', () => {
  let database: TestDatabase
  let services: TestServices

  beforeAll(async () => {
    database = await createTestDatabase()
    services = await createTestServices({ databaseUrl: database.url })
  })
  afterAll(async () => {
    await services.close()
    await database.drop()
  })

  const noticesFor = async (caseId: string): Promise<{ kind: string; assigneeId: string }[]> => {
    const { rows } = await services.jobs.boss
      .getDb()
      .executeSql(`SELECT data->>'kind' AS kind, data->>'assigneeId' AS "assigneeId" FROM pgboss.job WHERE name = 'case-notice' AND data->>'caseId' = $1`, [
        caseId,
      ])
    return rows as { kind: string; assigneeId: string }[]
  }
  const caseOf = async (anomalyId: string) => (await database.db.anomaly.findUniqueOrThrow({ where: { id: anomalyId }, select: { caseId: true } })).caseId!

  it('leaves new cases unassigned when the organisation does not assign round-robin, even with analysts on duty', async () => {
    const team = await createCaseTeam(database.db, 'user_rr_off', services)
    await database.db.membership.updateMany({ where: { orgId: team.orgId }, data: { onDuty: true } })
    const [alert] = await ingestAlerts(database.db, team.orgId, [{ accountId: 'ACC-OFF', merchantId: 'M-1' }], services)
    const caseId = await caseOf(alert!.id)
    expect((await database.db.case.findUniqueOrThrow({ where: { id: caseId } })).assigneeId).toBeNull()
    expect(await noticesFor(caseId)).toEqual([])
  })

  it('hands each new case of a batch to the next analyst on duty, records it and tells them; an alert joining a case changes nothing', async () => {
    const team = await createCaseTeam(database.db, 'user_rr_on', services)
    await database.db.organization.update({ where: { id: team.orgId }, data: { caseRoundRobin: true } })
    await database.db.membership.updateMany({ where: { orgId: team.orgId, userId: { in: [team.ids.priya, team.ids.arjun] } }, data: { onDuty: true } })
    // Vera (a viewer) and Rita (removed) are on duty too: never picked.
    await database.db.membership.updateMany({ where: { orgId: team.orgId, userId: { in: [team.ids.vera, team.ids.rita] } }, data: { onDuty: true } })

    const alerts = await ingestAlerts(
      database.db,
      team.orgId,
      [
        { accountId: 'ACC-RR-1', merchantId: 'M-1' },
        { accountId: 'ACC-RR-2', merchantId: 'M-2' },
      ],
      services,
    )
    const cases = [await caseOf(alerts[0]!.id), await caseOf(alerts[1]!.id)]
    const assignees = await Promise.all(cases.map(async (id) => (await database.db.case.findUniqueOrThrow({ where: { id } })).assigneeId))
    expect(assignees.sort()).toEqual([team.ids.arjun, team.ids.priya].sort())
    expect(alerts.assignedCases.map((a) => a.caseId).sort()).toEqual([...cases].sort())
    for (const caseId of cases) {
      const { events } = await team.priya().cases.get({ id: caseId })
      expect(events.map((e) => [e.kind, e.actorName])).toEqual([
        ['opened', 'Anomalyze'],
        ['alerts_added', 'Anomalyze'],
        ['assigned', 'Anomalyze'],
      ])
      const holder = (await database.db.case.findUniqueOrThrow({ where: { id: caseId } })).assigneeId!
      expect(events[2]!.data).toMatchObject({ assignee: { id: holder }, previous: null, how: 'round_robin' })
      expect(await noticesFor(caseId)).toEqual([{ kind: 'assigned', assigneeId: holder }])
    }

    // A later alert of ACC-RR-1 joins its case: no new assignment, no notice.
    const [later] = await ingestAlerts(database.db, team.orgId, [{ accountId: 'ACC-RR-1', merchantId: 'M-9' }], services)
    expect(await caseOf(later!.id)).toBe(cases[0])
    expect(await noticesFor(cases[0]!)).toHaveLength(1)
    expect(await database.db.caseEvent.count({ where: { caseId: cases[0]!, kind: 'assigned' } })).toBe(1)
  })

  it('tells a member a teammate assigned a case to them, and not someone who claimed it', async () => {
    const team = await createCaseTeam(database.db, 'user_notice', services)
    const alerts = await ingestAlerts(
      database.db,
      team.orgId,
      [
        { accountId: 'ACC-N-1', merchantId: 'M-1' },
        { accountId: 'ACC-N-2', merchantId: 'M-2' },
      ],
      services,
    )
    const [assigned, claimed] = [await caseOf(alerts[0]!.id), await caseOf(alerts[1]!.id)]
    await team.priya().cases.push({ actions: [action('assign', assigned, { assigneeId: team.ids.arjun }) as TCaseAction] })
    await team.priya().cases.push({ actions: [action('claim', claimed) as TCaseAction] })
    expect(await noticesFor(assigned)).toEqual([{ kind: 'assigned', assigneeId: team.ids.arjun }])
    expect(await noticesFor(claimed)).toEqual([])
  })
})
