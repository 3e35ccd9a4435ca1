import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_RULE_SET, type RuleDefinition } from '@anomalyze/shared/engine'
import { rulesHash } from '@anomalyze/shared/node'
import { diffRules } from '../src/services/rules/rule-versions.ts'
import { ensurePersonalWorkspace } from '../src/services/organizations/workspaces.ts'
import { callerFor } from './helpers/caller.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'

/**
 * Issue #21, rules: drafts, publish, versions and rollback through the `rules` router on
 * a real Postgres: drafts seeded from the built-in set, refusals with line and column,
 * publish guarded by the backtest and the alert budget, diffs between versions, rollback
 * resetting the drafts, audit rows, and who may do what.
 */

const OWNER = 'user_rules_owner'
const OTHER = 'user_rules_other'

const errorOf = (promise: Promise<unknown>): Promise<any> =>
  promise.then(
    () => {
      throw new Error('expected a refusal')
    },
    (error: unknown) => error,
  )

const BIG_NIGHT: RuleDefinition = {
  name: 'BIG_NIGHT',
  expression: 'amount > 5000 and is_night == 1',
  description: 'Large at night',
  mode: 'ACTIVE',
  severityFloor: 'HIGH',
  scoreBoost: 0.2,
}

describe('rulesHash', () => {
  it('gives the value the console pins (apps/desktop/src/core/rules/rules-hash.test.ts)', () => {
    const rules: RuleDefinition[] = [
      BIG_NIGHT,
      { name: 'DENIED_MERCHANT', expression: 'merchant_id in list("deny merchants")', description: '', mode: 'SHADOW', severityFloor: null, scoreBoost: null },
    ]
    expect(rulesHash(rules)).toBe('41db759897c65a18f42365e90ee21f1fffacbafd6dbcfa86d5cc87b73c5f8da8')
    expect(rulesHash([...rules].reverse())).not.toBe(rulesHash(rules))
  })
})

describe('diffRules', () => {
  it('names added, removed, changed and unchanged rules', () => {
    const [a, b, c] = DEFAULT_RULE_SET.rules as [RuleDefinition, RuleDefinition, RuleDefinition]
    const diff = diffRules([a, b, c], [{ ...a }, { ...b, scoreBoost: 0.5 }, BIG_NIGHT])
    expect(diff.map((row) => [row.name, row.change])).toEqual([
      [a.name, 'unchanged'],
      [b.name, 'changed'],
      ['BIG_NIGHT', 'added'],
      [c.name, 'removed'],
    ])
  })
})

describe('rules router', () => {
  let database: TestDatabase
  const admin = () => callerFor(database.db, OWNER, { name: 'Owner' })
  const analyst = () => callerFor(database.db, 'user_rules_analyst', { orgId: OWNER, role: 'ANALYST' })
  const viewer = () => callerFor(database.db, 'user_rules_viewer', { orgId: OWNER, role: 'VIEWER' })
  const foreign = () => callerFor(database.db, OTHER)

  /** A COMPLETED backtest of `rules` as the backtest worker would store it. */
  const backtested = async (rules: readonly RuleDefinition[], figures: { peakHitsPerDay: number; overBudget: boolean }) => {
    await database.db.ruleBacktest.create({
      data: {
        orgId: OWNER,
        rules: rules as never,
        days: 30,
        status: 'COMPLETED',
        completedAt: new Date(),
        createdById: OWNER,
        result: { rulesHash: rulesHash(rules), alertBudgetPerDay: 200, ...figures },
      },
    })
  }
  const draftDefinitions = async () =>
    (await admin().rules.list()).drafts.map(({ name, expression, description, mode, severityFloor, scoreBoost }) => ({
      name,
      expression,
      description,
      mode,
      severityFloor,
      scoreBoost,
    }))

  beforeAll(async () => {
    database = await createTestDatabase()
    await ensurePersonalWorkspace(database.db, { id: OWNER, name: 'Owner Person' })
    await ensurePersonalWorkspace(database.db, { id: OTHER, name: 'Other' })
  })
  afterAll(async () => {
    await database?.drop()
  })

  it('opens on the built-in rules as published drafts, version 0 in force', async () => {
    const overview = await viewer().rules.list()
    expect(overview.drafts.map((draft) => draft.name)).toEqual(DEFAULT_RULE_SET.rules.map((rule) => rule.name))
    expect(overview.drafts.every((draft) => draft.state === 'published')).toBe(true)
    expect(overview).toMatchObject({
      removed: [],
      hits: [],
      alertBudgetPerDay: 200,
      inForce: { version: 0, publishedBy: null, ruleCount: DEFAULT_RULE_SET.rules.length },
    })
    // A second read does not seed twice.
    expect((await viewer().rules.list()).drafts).toHaveLength(DEFAULT_RULE_SET.rules.length)
    expect(await viewer().rules.versions()).toMatchObject([{ version: 0, restoredFrom: null }])
  })

  it('refuses a draft that does not check with the line and column of the problem', async () => {
    const refusal = (expression: string) => errorOf(analyst().rules.saveDraft({ rule: { ...BIG_NIGHT, expression } }))
    const syntax = await refusal('amount >')
    expect(syntax).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/^Line 1, column \d+: /) })
    expect(syntax.cause.details.errors[0]).toMatchObject({ line: 1 })

    const unknownField = await refusal('amount > 1 and\n  amout > 5')
    expect(unknownField.message).toMatch(/^Line 2, column 3: .*amout/)
    expect(unknownField.cause.details.errors[0]).toMatchObject({ line: 2, column: 3, length: 5 })

    const textVsNumber = await refusal('country > 5')
    expect(textVsNumber.message).toMatch(/^Line 1, column \d+: /)
    expect(textVsNumber.cause.details.errors.length).toBeGreaterThan(0)

    const unknownList = await refusal('merchant_id in list("nope")')
    expect(unknownList.message).toMatch(/^Line 1, column \d+: .*nope/)

    const rcheck = await viewer().rules.check({ expression: 'amout > 5' })
    expect(rcheck.errors[0]).toMatchObject({ line: 1, column: 1 })
    expect(await viewer().rules.check({ expression: 'amount > 5' })).toEqual({ errors: [] })
    expect((await admin().rules.list()).drafts.some((draft) => draft.name === 'BIG_NIGHT')).toBe(false)
  })

  it('lets an analyst save and delete drafts, refuses a duplicate name, and keeps them from other organisations', async () => {
    const saved = await analyst().rules.saveDraft({ rule: BIG_NIGHT })
    expect(saved).toMatchObject({ name: 'BIG_NIGHT', state: 'new', updatedBy: { id: 'user_rules_analyst' } })
    const duplicate = await errorOf(analyst().rules.saveDraft({ rule: { ...BIG_NIGHT, description: 'again' } }))
    expect(duplicate).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('another draft is already named "BIG_NIGHT"') })
    const changed = await analyst().rules.saveDraft({ id: saved.id, rule: { ...BIG_NIGHT, scoreBoost: 0.3 } })
    expect(changed).toMatchObject({ id: saved.id, scoreBoost: 0.3 })
    await expect(errorOf(foreign().rules.saveDraft({ id: saved.id, rule: BIG_NIGHT }))).resolves.toMatchObject({ code: 'NOT_FOUND' })
    await expect(errorOf(foreign().rules.deleteDraft({ id: saved.id }))).resolves.toMatchObject({ code: 'NOT_FOUND' })
    const viewerSave = await errorOf(viewer().rules.saveDraft({ rule: BIG_NIGHT }))
    expect(viewerSave.code).toBe('FORBIDDEN')

    const velocity = (await admin().rules.list()).drafts.find((draft) => draft.name === 'VELOCITY_HIGH')
    expect(velocity).toBeDefined()
    await analyst().rules.deleteDraft({ id: velocity!.id })
    const overview = await admin().rules.list()
    expect(overview.removed).toEqual(['VELOCITY_HIGH'])
    expect(overview.drafts.find((draft) => draft.name === 'BIG_NIGHT')?.state).toBe('new')
    const audit = await database.db.auditLog.findMany({ where: { orgId: OWNER, action: { startsWith: 'rules.draft.' } }, orderBy: { createdAt: 'asc' } })
    expect(audit.map((row) => row.action)).toEqual(['rules.draft.create', 'rules.draft.update', 'rules.draft.delete'])
  })

  it('keeps publishing to admins, naming the role an analyst lacks', async () => {
    const refusal = await errorOf(analyst().rules.publish({ comment: 'go', confirmed: true }))
    expect(refusal).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('This needs the admin role; you are an analyst') })
    await expect(errorOf(analyst().rules.rollback({ version: 0, comment: 'back' }))).resolves.toMatchObject({ code: 'FORBIDDEN' })
  })

  it('refuses to publish drafts never backtested unless confirmed, then publishes version 1 with an audit row', async () => {
    const refusal = await errorOf(admin().rules.publish({ comment: 'Add BIG_NIGHT' }))
    expect(refusal).toMatchObject({ code: 'CONFLICT' })
    expect(refusal.cause.details).toEqual({ reason: 'not_backtested', peakHitsPerDay: null, alertBudgetPerDay: 200 })
    // A backtest of other rules does not count.
    await backtested([BIG_NIGHT], { peakHitsPerDay: 3, overBudget: false })
    expect((await errorOf(admin().rules.publish({ comment: 'Add BIG_NIGHT' }))).cause.details.reason).toBe('not_backtested')

    const before = await draftDefinitions()
    const published = await admin().rules.publish({ comment: 'Add BIG_NIGHT', confirmed: true })
    expect(published).toMatchObject({ version: 1, comment: 'Add BIG_NIGHT', publishedBy: { id: OWNER }, ruleCount: before.length, restoredFrom: null })
    const overview = await admin().rules.list()
    expect(overview.inForce.version).toBe(1)
    expect(overview.removed).toEqual([])
    expect(overview.drafts.every((draft) => draft.state === 'published')).toBe(true)
    expect(await viewer().rules.inForce()).toMatchObject({ version: 1, rules: before, lists: [] })

    const audit = await database.db.auditLog.findFirstOrThrow({ where: { orgId: OWNER, action: 'rules.publish' } })
    expect(audit).toMatchObject({
      actor: OWNER,
      oldData: { version: 0, rules: DEFAULT_RULE_SET.rules },
      newData: { version: 1, rules: before, comment: 'Add BIG_NIGHT' },
    })
  })

  it('publishes backtested drafts within budget without confirmation, and warns with the figures when over budget', async () => {
    const overview = await admin().rules.list()
    const rapid = overview.drafts.find((draft) => draft.name === 'RAPID_REPEAT')!
    await analyst().rules.saveDraft({ id: rapid.id, rule: { ...(await draftDefinitions()).find((rule) => rule.name === 'RAPID_REPEAT')!, mode: 'SHADOW' } })
    const drafts = await draftDefinitions()
    await backtested(drafts, { peakHitsPerDay: 412, overBudget: true })
    const overBudget = await errorOf(admin().rules.publish({ comment: 'Shadow RAPID_REPEAT' }))
    expect(overBudget).toMatchObject({ code: 'CONFLICT', message: 'Its backtest raised up to 412 alerts a day; the budget is 200. Publish anyway?' })
    expect(overBudget.cause.details).toEqual({ reason: 'over_budget', peakHitsPerDay: 412, alertBudgetPerDay: 200 })
    // A newer backtest of the same drafts within budget lets it through.
    await backtested(drafts, { peakHitsPerDay: 150, overBudget: false })
    await expect(admin().rules.publish({ comment: 'Shadow RAPID_REPEAT' })).resolves.toMatchObject({ version: 2 })
  })

  it('shows a version with its diff against the one before', async () => {
    const detail = await viewer().rules.version({ version: 2 })
    expect(detail.summary).toMatchObject({ version: 2, comment: 'Shadow RAPID_REPEAT' })
    expect(detail.diff.filter((row) => row.change !== 'unchanged')).toMatchObject([
      { name: 'RAPID_REPEAT', change: 'changed', before: { mode: 'ACTIVE' }, after: { mode: 'SHADOW' } },
    ])
    const first = await viewer().rules.version({ version: 1 })
    expect(first.diff.filter((row) => row.change !== 'unchanged').map((row) => [row.name, row.change])).toEqual([
      ['BIG_NIGHT', 'added'],
      ['VELOCITY_HIGH', 'removed'],
    ])
    expect((await viewer().rules.version({ version: 0 })).rules).toEqual(DEFAULT_RULE_SET.rules)
    await expect(errorOf(viewer().rules.version({ version: 9 }))).resolves.toMatchObject({ code: 'NOT_FOUND' })
    await expect(errorOf(foreign().rules.version({ version: 1 }))).resolves.toMatchObject({ code: 'NOT_FOUND' })
    expect((await viewer().rules.versions()).map((row) => row.version)).toEqual([2, 1, 0])
  })

  it('rolls back to version 0 as version 3, resetting the drafts, audited', async () => {
    const rolled = await admin().rules.rollback({ version: 0, comment: 'Back to the built-in rules' })
    expect(rolled).toMatchObject({ version: 3, restoredFrom: 0, ruleCount: DEFAULT_RULE_SET.rules.length })
    expect(await draftDefinitions()).toEqual(DEFAULT_RULE_SET.rules)
    expect((await admin().rules.list()).drafts.every((draft) => draft.state === 'published')).toBe(true)
    expect((await viewer().rules.inForce()).rules).toEqual(DEFAULT_RULE_SET.rules)
    const audit = await database.db.auditLog.findFirstOrThrow({ where: { orgId: OWNER, action: 'rules.rollback' } })
    expect(audit).toMatchObject({ oldData: { version: 2 }, newData: { version: 3, restoredFrom: 0, rules: DEFAULT_RULE_SET.rules } })
    // Rolling back to 1 brings BIG_NIGHT back.
    await admin().rules.rollback({ version: 1, comment: 'Again' })
    expect((await draftDefinitions()).map((rule) => rule.name)).toContain('BIG_NIGHT')
    // The other organisation never saw any of it.
    expect((await foreign().rules.versions()).map((row) => row.version)).toEqual([0])
    expect((await foreign().rules.list()).drafts.map((draft) => draft.name)).toEqual(DEFAULT_RULE_SET.rules.map((rule) => rule.name))
  })

  it('numbers concurrent publishes one after the other, and refuses a rollback to a version that does not exist', async () => {
    const published = await Promise.all([1, 2, 3].map((n) => foreign().rules.publish({ comment: `race ${n}`, confirmed: true })))
    expect(published.map((row) => row.version).sort()).toEqual([1, 2, 3])
    expect((await foreign().rules.versions()).map((row) => row.version)).toEqual([3, 2, 1, 0])
    await expect(errorOf(foreign().rules.rollback({ version: 7, comment: 'no' }))).resolves.toMatchObject({ code: 'NOT_FOUND' })
    // The first organisation's versions are its own.
    await expect(errorOf(admin().rules.version({ version: 6 }))).resolves.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('counts the last 7 days of hits per rule, active and shadow apart, and sends the lists with their entries in force', async () => {
    const now = Date.now()
    const hit = (ruleName: string, mode: 'ACTIVE' | 'SHADOW', ageDays: number) => ({
      orgId: OWNER,
      transactionId: `t-${ruleName}-${mode}-${ageDays}`,
      ruleName,
      mode,
      ruleSetVersion: 1,
      createdAt: new Date(now - ageDays * 24 * 60 * 60 * 1000),
    })
    await database.db.ruleHit.createMany({
      data: [hit('BIG_NIGHT', 'ACTIVE', 1), hit('BIG_NIGHT', 'ACTIVE', 2), hit('BIG_NIGHT', 'ACTIVE', 8), hit('RAPID_REPEAT', 'SHADOW', 3)],
    })
    expect((await viewer().rules.list()).hits).toEqual([
      { name: 'BIG_NIGHT', hits7d: 2, shadowHits7d: 0 },
      { name: 'RAPID_REPEAT', hits7d: 0, shadowHits7d: 1 },
    ])
    const list = await admin().lists.create({ name: 'vip', kind: 'ALLOW', field: 'account_id' })
    await admin().lists.addEntries({
      listId: list.id,
      entries: [
        { value: 'B2', reason: 'board' },
        { value: 'A1', reason: 'CEO' },
      ],
    })
    expect((await viewer().rules.inForce()).lists).toEqual([
      {
        name: 'vip',
        kind: 'ALLOW',
        field: 'account_id',
        entries: [
          { value: 'A1', reason: 'CEO' },
          { value: 'B2', reason: 'board' },
        ],
      },
    ])
    expect((await foreign().rules.list()).hits).toEqual([])
  })

  it('lists suppressed alerts newest first, paged, joined to their transaction', async () => {
    const tx = await database.db.transaction.create({
      data: {
        orgId: OWNER,
        txId: 'T-SUP-1',
        timestamp: new Date('2026-01-02T03:04:05Z'),
        amount: 99.5,
        currency: 'USD',
        accountId: 'A1',
        merchantId: 'M1',
        source: 'REALTIME_API',
      },
    })
    const tx2 = await database.db.transaction.create({
      data: {
        orgId: OWNER,
        txId: 'T-SUP-2',
        timestamp: new Date('2026-01-02T03:05:05Z'),
        amount: 10,
        currency: 'USD',
        accountId: 'A1',
        merchantId: 'M2',
        source: 'REALTIME_API',
      },
    })
    const base = {
      orgId: OWNER,
      listName: 'vip',
      field: 'account_id',
      value: 'A1',
      reason: 'CEO',
      score: 0.9,
      severity: 'HIGH' as const,
      ruleViolations: ['BIG_NIGHT'],
      ruleSetVersion: 4,
      modelVersion: 'm1',
    }
    await database.db.suppressedAlert.create({ data: { ...base, transactionId: tx.id, createdAt: new Date(1_000) } })
    await database.db.suppressedAlert.create({ data: { ...base, transactionId: tx2.id, createdAt: new Date(2_000) } })
    const first = await viewer().rules.suppressed({ limit: 1 })
    expect(first.items).toMatchObject([{ txId: 'T-SUP-2', amount: 10, listName: 'vip', reason: 'CEO', ruleViolations: ['BIG_NIGHT'], ruleSetVersion: 4 }])
    const second = await viewer().rules.suppressed({ limit: 1, cursor: first.nextCursor })
    expect(second).toMatchObject({
      items: [{ txId: 'T-SUP-1', amount: 99.5, accountId: 'A1', timestamp: Date.parse('2026-01-02T03:04:05Z') }],
      nextCursor: null,
    })
    expect((await foreign().rules.suppressed({})).items).toEqual([])
    await expect(errorOf(viewer().rules.suppressed({ cursor: 'nope' }))).resolves.toMatchObject({ code: 'BAD_REQUEST' })
  })
})
