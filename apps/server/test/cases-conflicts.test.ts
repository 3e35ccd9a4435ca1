import { MAX_COMMENT_LENGTH, type TCaseAction } from '@anomalyze/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { action, createCaseTeam, ingestAlerts, type CaseTeam } from './cases-fixtures.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'

/**
 * Issue #20, points 2 and 3: two analysts working one case (the server orders them: the
 * first claim or close stands, the second is told who holds the case and what they
 * did stays in the timeline), offline comments pushed later, refusals that name the
 * person and why, and tenants that cannot reach each other's cases.
 */
describe('case conflicts, assignment and offline actions', () => {
  let database: TestDatabase
  let team: CaseTeam
  let account = 0

  beforeAll(async () => {
    database = await createTestDatabase()
    team = await createCaseTeam(database.db, 'user_conflicts')
  })
  afterAll(() => database.drop())

  /** A fresh case (of a fresh account) with one alert. */
  const newCase = async (orgId = team.orgId): Promise<string> => {
    account += 1
    const [alert] = await ingestAlerts(database.db, orgId, [{ accountId: `ACC-C${account}`, merchantId: `M-C${account}` }])
    return (await database.db.anomaly.findUniqueOrThrow({ where: { id: alert!.id }, select: { caseId: true } })).caseId!
  }
  const push = (caller: ReturnType<CaseTeam['priya']>, ...actions: Record<string, unknown>[]) => caller.cases.push({ actions: actions as TCaseAction[] })
  const timeline = async (caseId: string) => (await team.admin().cases.get({ id: caseId })).events

  it('lets the first claim stand: the second analyst gets a conflict naming who holds the case, kept in the timeline', async () => {
    const caseId = await newCase()
    const [first] = (await push(team.priya(), action('claim', caseId))).results
    expect(first).toMatchObject({ outcome: 'applied', case: { assignee: { id: team.ids.priya, name: 'Priya Sharma' } } })
    const [second] = (await push(team.arjun(), action('claim', caseId))).results
    expect(second).toMatchObject({
      outcome: 'conflict',
      reason: 'Priya Sharma holds this case',
      heldBy: { id: team.ids.priya, name: 'Priya Sharma' },
      case: { assignee: { id: team.ids.priya } },
    })
    expect((await timeline(caseId)).filter((e) => e.kind === 'assigned' || e.kind === 'claim_refused').map((e) => [e.kind, e.actorName, e.data])).toEqual([
      ['assigned', 'Priya Sharma', { assignee: { id: team.ids.priya, name: 'Priya Sharma' }, previous: null, how: 'claim' }],
      ['claim_refused', 'Arjun Mehta', { heldBy: { id: team.ids.priya, name: 'Priya Sharma' } }],
    ])
    // Claiming one's own case again changes nothing.
    expect((await push(team.priya(), action('claim', caseId))).results[0]).toMatchObject({ outcome: 'applied' })
    expect((await timeline(caseId)).filter((e) => e.kind === 'assigned')).toHaveLength(1)
  })

  it('orders two claims arriving at once: one stands, the other is a conflict; one mutation pushed twice at once is stored once', async () => {
    const caseId = await newCase()
    const results = await Promise.all([push(team.priya(), action('claim', caseId)), push(team.arjun(), action('claim', caseId))])
    expect(results.map((r) => r.results[0]!.outcome).sort()).toEqual(['applied', 'conflict'])
    const holder = (await database.db.case.findUniqueOrThrow({ where: { id: caseId } })).assigneeId
    const refused = results.find((r) => r.results[0]!.outcome === 'conflict')!.results[0]!
    expect(refused.heldBy?.id).toBe(holder)

    const comment = action('comment', caseId, { text: 'pushed from two tabs' })
    const twice = await Promise.all([push(team.priya(), comment), push(team.priya(), comment)])
    expect(twice.map((r) => r.results[0]!.outcome).sort()).toEqual(['applied', 'duplicate'])
    expect(await database.db.caseEvent.count({ where: { orgId: team.orgId, mutationId: comment.mutationId } })).toBe(1)
  })

  it('opens one case for an account whose alerts arrive in two batches at once', async () => {
    const [first, second] = await Promise.all([
      ingestAlerts(database.db, team.orgId, [{ accountId: 'ACC-RACE', merchantId: 'M-race-1' }]),
      ingestAlerts(database.db, team.orgId, [{ accountId: 'ACC-RACE', merchantId: 'M-race-2' }]),
    ])
    const cases = await database.db.anomaly.findMany({ where: { id: { in: [first![0]!.id, second![0]!.id] } }, select: { caseId: true } })
    expect(new Set(cases.map((c) => c.caseId)).size).toBe(1)
    expect(await database.db.case.count({ where: { orgId: team.orgId, entityId: 'ACC-RACE' } })).toBe(1)
  })

  it('keeps the first close: the second closer is told who closed it, and their status and note stay in the timeline', async () => {
    const caseId = await newCase()
    const [first] = (await push(team.priya(), action('close', caseId, { status: 'CLOSED_FRAUD', note: 'customer confirmed fraud' }))).results
    expect(first).toMatchObject({ outcome: 'applied', case: { status: 'CLOSED_FRAUD' } })
    const [second] = (await push(team.arjun(), action('close', caseId, { status: 'CLOSED_LEGITIMATE', note: 'looked like a regular' }))).results
    expect(second).toMatchObject({ outcome: 'conflict', heldBy: { id: team.ids.priya, name: 'Priya Sharma' }, case: { status: 'CLOSED_FRAUD' } })
    expect(second!.reason).toBe('Priya Sharma closed this case first')
    expect((await timeline(caseId)).at(-1)).toMatchObject({
      kind: 'close_refused',
      actor: { id: team.ids.arjun, name: 'Arjun Mehta' },
      data: { closedBy: { id: team.ids.priya, name: 'Priya Sharma' }, status: 'CLOSED_LEGITIMATE', note: 'looked like a regular', label: 'FALSE_POSITIVE' },
    })
    const alerts = await database.db.anomaly.findMany({ where: { caseId }, select: { status: true } })
    expect(alerts.map((a) => a.status)).toEqual(['CONFIRMED_FRAUD'])
  })

  it('stores offline comments at the time they were written, once however often they are pushed, never in the future', async () => {
    const caseId = await newCase()
    const hourAgo = Date.now() - 3_600_000
    const offline = action('comment', caseId, { text: '  called the bank from the train  ' }, hourAgo)
    expect((await push(team.arjun(), offline)).results[0]).toMatchObject({ outcome: 'applied' })
    // The outbox retries after a lost answer: the same mutation is stored once.
    expect((await push(team.arjun(), offline)).results[0]).toMatchObject({ outcome: 'duplicate', case: { id: caseId } })
    const future = action('comment', caseId, { text: 'clock ahead' }, Date.now() + 86_400_000)
    const before = Date.now()
    await push(team.arjun(), future)
    const comments = (await timeline(caseId)).filter((e) => e.kind === 'comment')
    expect(comments.map((c) => [c.data, c.mutationId])).toEqual([
      [{ text: 'called the bank from the train' }, offline.mutationId],
      [{ text: 'clock ahead' }, future.mutationId],
    ])
    expect(comments[0]!.at).toBe(hourAgo)
    expect(comments[1]!.at).toBeLessThanOrEqual(Date.now())
    expect(comments[1]!.at).toBeGreaterThanOrEqual(before)
    expect(await database.db.caseEvent.count({ where: { orgId: team.orgId, mutationId: offline.mutationId } })).toBe(1)
    // Comments apply on closed cases too.
    await push(team.priya(), action('close', caseId, { status: 'CLOSED_LEGITIMATE' }))
    expect((await push(team.arjun(), action('comment', caseId, { text: 'after the close' }))).results[0]).toMatchObject({
      outcome: 'applied',
    })
  })

  it('refuses an empty comment or one over the limit, naming the field', async () => {
    const caseId = await newCase()
    for (const text of ['', '   ', 'x'.repeat(MAX_COMMENT_LENGTH + 1)]) {
      const error = await push(team.arjun(), action('comment', caseId, { text })).catch((e: unknown) => e)
      // The in-process caller throws the TRPCError whose zod cause the HTTP answer lists as fieldErrors.
      expect(error).toMatchObject({ code: 'BAD_REQUEST', cause: { issues: [{ path: ['actions', 0, 'text'] }] } })
    }
    expect((await push(team.arjun(), action('comment', caseId, { text: 'x'.repeat(MAX_COMMENT_LENGTH) }))).results[0]).toMatchObject({ outcome: 'applied' })
    expect((await timeline(caseId)).filter((e) => e.kind === 'comment')).toHaveLength(1)
  })

  it('refuses to assign to a non-member, a viewer or a removed member, naming the person and why', async () => {
    const caseId = await newCase()
    const assign = (assigneeId: string) => push(team.priya(), action('assign', caseId, { assigneeId }))
    expect((await assign('u_x')).results[0]).toMatchObject({ outcome: 'rejected', reason: 'u_x is not a member of this organisation' })
    expect((await assign(team.ids.vera)).results[0]).toMatchObject({ outcome: 'rejected', reason: 'Vera Viewer is a viewer: viewers cannot work cases' })
    expect((await assign(team.ids.rita)).results[0]!.reason).toMatch(/^Rita Removed was removed from this organisation/)
    // A member of another organisation is not a member of this one.
    await createCaseTeam(database.db, 'user_conflicts_elsewhere')
    expect((await assign('user_conflicts_elsewhere_priya')).results[0]).toMatchObject({
      outcome: 'rejected',
      reason: 'user_conflicts_elsewhere_priya is not a member of this organisation',
    })
    const row = await database.db.case.findUniqueOrThrow({ where: { id: caseId } })
    expect(row.assigneeId).toBeNull()
    expect((await timeline(caseId)).map((e) => e.kind)).toEqual(['opened', 'alerts_added'])
  })

  it('lets an analyst hand over only an unassigned case or their own; an admin hands over any', async () => {
    const caseId = await newCase()
    expect((await push(team.priya(), action('assign', caseId, { assigneeId: team.ids.priya }))).results[0]).toMatchObject({ outcome: 'applied' })
    const [refused] = (await push(team.arjun(), action('assign', caseId, { assigneeId: team.ids.arjun }))).results
    expect(refused).toMatchObject({ outcome: 'conflict', heldBy: { id: team.ids.priya } })
    expect((await push(team.arjun(), action('unassign', caseId))).results[0]).toMatchObject({
      outcome: 'rejected',
      reason: 'Priya Sharma holds this case: only they or an admin can unassign it',
    })
    const [handOver] = (await push(team.admin(), action('assign', caseId, { assigneeId: team.ids.arjun }))).results
    expect(handOver).toMatchObject({ outcome: 'applied', case: { assignee: { id: team.ids.arjun, name: 'Arjun Mehta' } } })
    expect((await timeline(caseId)).at(-1)).toMatchObject({
      kind: 'assigned',
      actorName: 'Anita Admin',
      data: { assignee: { id: team.ids.arjun }, previous: { id: team.ids.priya }, how: 'assign' },
    })
    expect((await push(team.arjun(), action('unassign', caseId))).results[0]).toMatchObject({ outcome: 'applied', case: { assignee: null } })
    expect(await database.db.auditLog.count({ where: { orgId: team.orgId, entityId: caseId, action: { in: ['case.assign', 'case.unassign'] } } })).toBe(3)
  })

  it('moves status on an open case; only an admin reopens a closed one', async () => {
    const caseId = await newCase()
    expect((await push(team.priya(), action('status', caseId, { status: 'IN_REVIEW' }))).results[0]).toMatchObject({
      outcome: 'applied',
      case: { status: 'IN_REVIEW' },
    })
    await push(team.priya(), action('close', caseId, { status: 'CLOSED_LEGITIMATE' }))
    expect((await push(team.priya(), action('status', caseId, { status: 'OPEN' }))).results[0]).toMatchObject({
      outcome: 'rejected',
      reason: 'This case is closed: only an admin can reopen it',
    })
    const [reopened] = (await push(team.admin(), action('status', caseId, { status: 'OPEN' }))).results
    expect(reopened).toMatchObject({ outcome: 'applied', case: { status: 'OPEN', closedAt: null, closedBy: null } })
    expect((await timeline(caseId)).at(-1)).toMatchObject({ kind: 'reopened', data: { from: 'CLOSED_LEGITIMATE', to: 'OPEN' } })
  })

  it('cannot merge, split, read or act on a case of another organisation', async () => {
    const other = await createCaseTeam(database.db, 'user_conflicts_other')
    const ours = await newCase()
    const theirs = await newCase(other.orgId)
    const theirAlerts = await database.db.anomaly.findMany({ where: { caseId: theirs }, select: { id: true } })

    await expect(team.priya().cases.merge({ intoId: ours, fromIds: [theirs] })).rejects.toThrow(`fromIds: no case with id ${theirs}`)
    await expect(team.priya().cases.merge({ intoId: theirs, fromIds: [ours] })).rejects.toThrow(`intoId: no case with id ${theirs}`)
    await expect(other.priya().cases.merge({ intoId: theirs, fromIds: [ours] })).rejects.toThrow(`fromIds: no case with id ${ours}`)
    await expect(team.priya().cases.split({ caseId: theirs, anomalyIds: [theirAlerts[0]!.id] })).rejects.toThrow(`caseId: no case with id ${theirs}`)
    await expect(team.priya().cases.open({ entityType: 'ACCOUNT', entityId: 'ACC-X', anomalyIds: [theirAlerts[0]!.id] })).rejects.toThrow(/no anomaly with id/)
    await expect(team.priya().cases.get({ id: theirs })).rejects.toThrow(`No case with id ${theirs}`)
    expect((await push(team.priya(), action('claim', theirs))).results[0]).toMatchObject({ outcome: 'rejected', case: null })

    const after = await database.db.case.findUniqueOrThrow({ where: { id: theirs } })
    expect(after).toMatchObject({ orgId: other.orgId, mergedIntoId: null, assigneeId: null })
    expect(await database.db.anomaly.count({ where: { caseId: theirs } })).toBe(theirAlerts.length)
    expect(await database.db.caseEvent.count({ where: { caseId: theirs, orgId: team.orgId } })).toBe(0)
  })
})
