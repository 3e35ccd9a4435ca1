import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseListCsv } from '../src/services/rules/list-import.ts'
import { listsNamedIn } from '../src/services/rules/lists.ts'
import { orgLists } from '../src/services/rules/org-lists.ts'
import { clearRuleSetCache, ruleSetFor } from '../src/services/rules/rule-set-cache.ts'
import { ensurePersonalWorkspace } from '../src/services/organizations/workspaces.ts'
import { callerFor } from './helpers/caller.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'

/**
 * Issue #21, lists: allow and deny lists through the `lists` router on a real Postgres:
 * names unique per organisation, entries paged and searched, CSV imports with bad
 * lines reported by number and good lines stored together or not at all, delete
 * refused while a rule names the list, admins only for changes, other organisations'
 * ids not found.
 */

const OWNER = 'user_lists_owner'
const OTHER = 'user_lists_other'

const errorOf = (promise: Promise<unknown>): Promise<any> =>
  promise.then(
    () => {
      throw new Error('expected a refusal')
    },
    (error: unknown) => error,
  )

describe('lists router', () => {
  let database: TestDatabase
  const admin = () => callerFor(database.db, OWNER, { name: 'Owner' })
  const analyst = () => callerFor(database.db, 'user_lists_analyst', { orgId: OWNER, role: 'ANALYST' })
  const viewer = () => callerFor(database.db, 'user_lists_viewer', { orgId: OWNER, role: 'VIEWER' })
  const foreign = () => callerFor(database.db, OTHER)

  beforeAll(async () => {
    database = await createTestDatabase()
    await ensurePersonalWorkspace(database.db, { id: OWNER, name: 'Owner Person' })
    await ensurePersonalWorkspace(database.db, { id: OTHER, name: 'Other' })
  })
  afterAll(async () => {
    await database?.drop()
  })

  it('creates a list, refuses a second of the same name, and audits the creation', async () => {
    const created = await admin().lists.create({ name: 'trusted accounts', kind: 'ALLOW', field: 'account_id', description: 'VIPs' })
    expect(created).toMatchObject({ name: 'trusted accounts', kind: 'ALLOW', field: 'account_id', description: 'VIPs', entryCount: 0 })
    const again = await errorOf(admin().lists.create({ name: 'trusted accounts', kind: 'DENY', field: 'merchant_id' }))
    expect(again).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('A list named "trusted accounts" already exists') })
    // Another organisation may use the name.
    await expect(foreign().lists.create({ name: 'trusted accounts', kind: 'ALLOW', field: 'account_id' })).resolves.toMatchObject({ entryCount: 0 })
    expect((await admin().lists.list()).map((list) => list.name)).toEqual(['trusted accounts'])
    const audit = await database.db.auditLog.findFirstOrThrow({ where: { orgId: OWNER, action: 'lists.create' } })
    expect(audit).toMatchObject({ actor: OWNER, entityId: created.id, newData: { name: 'trusted accounts', kind: 'ALLOW' } })
  })

  it('adds entries (counting values already listed), pages them by value and searches value and reason', async () => {
    const list = await admin().lists.create({ name: 'blocked merchants', kind: 'DENY', field: 'merchant_id' })
    const values = Array.from({ length: 25 }, (_, i) => `M${String(i).padStart(3, '0')}`)
    const first = await admin().lists.addEntries({
      listId: list.id,
      entries: values.map((value) => ({ value, reason: value === 'M007' ? 'Chargeback ring' : '' })),
    })
    expect(first).toEqual({ added: 25, alreadyListed: 0 })
    const second = await admin().lists.addEntries({ listId: list.id, entries: [{ value: ' M001 ' }, { value: 'M100', reason: 'new' }] })
    expect(second).toEqual({ added: 1, alreadyListed: 1 })

    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const page: any = await viewer().lists.entries({ listId: list.id, limit: 10, cursor })
      expect(page.total).toBe(26)
      seen.push(...page.items.map((item: { value: string }) => item.value))
      cursor = page.nextCursor
      pages += 1
    } while (cursor !== null)
    expect(pages).toBe(3)
    expect(seen).toEqual([...values, 'M100'])

    const byReason = await viewer().lists.entries({ listId: list.id, search: 'chargeback' })
    expect(byReason).toMatchObject({
      total: 1,
      nextCursor: null,
      items: [{ value: 'M007', reason: 'Chargeback ring', addedBy: { id: OWNER, name: 'Owner Person' } }],
    })
    const byValue = await viewer().lists.entries({ listId: list.id, search: 'm02' })
    expect(byValue.items.map((item) => item.value)).toEqual(['M020', 'M021', 'M022', 'M023', 'M024'])
    // LIKE's wildcards are searched for as text.
    expect((await viewer().lists.entries({ listId: list.id, search: '_' })).total).toBe(0)
    expect((await admin().lists.list()).find((row) => row.id === list.id)?.entryCount).toBe(26)
  })

  it("refuses a value the list's field cannot hold, naming the entry", async () => {
    const countries = await admin().lists.create({ name: 'risky countries', kind: 'DENY', field: 'country' })
    const bad = await errorOf(admin().lists.addEntries({ listId: countries.id, entries: [{ value: 'RU' }, { value: 'Russia' }] }))
    expect(bad).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/^entries\.1: "Russia" is not a country: a country is 2 capital letters/) })
    const bins = await admin().lists.create({ name: 'bad bins', kind: 'DENY', field: 'card_bin' })
    const badBin = await errorOf(admin().lists.addEntries({ listId: bins.id, entries: [{ value: '41234' }] }))
    expect(badBin).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('is not a card_bin: a card_bin is 6 digits') })
    expect((await admin().lists.entries({ listId: countries.id })).total).toBe(0)
  })

  it('removes entries by id, ignoring ids of other lists, and audits what it removed', async () => {
    const list = await admin().lists.create({ name: 'to trim', kind: 'DENY', field: 'account_id' })
    await admin().lists.addEntries({ listId: list.id, entries: [{ value: 'A1' }, { value: 'A2' }, { value: 'A3' }] })
    const other = await admin().lists.create({ name: 'untouched', kind: 'DENY', field: 'account_id' })
    await admin().lists.addEntries({ listId: other.id, entries: [{ value: 'B1' }] })
    const [a1, a2] = (await admin().lists.entries({ listId: list.id })).items
    const b1 = (await admin().lists.entries({ listId: other.id })).items[0]!
    const result = await admin().lists.removeEntries({ listId: list.id, ids: [a1!.id, a2!.id, b1.id, 'no-such-id'] })
    expect(result).toEqual({ removed: 2 })
    expect((await admin().lists.entries({ listId: list.id })).items.map((item) => item.value)).toEqual(['A3'])
    expect((await admin().lists.entries({ listId: other.id })).total).toBe(1)
    const audit = await database.db.auditLog.findFirstOrThrow({ where: { orgId: OWNER, action: 'lists.entries.remove' } })
    expect(audit).toMatchObject({ entityId: list.id, oldData: { name: 'to trim', removed: 2, values: ['A1', 'A2'] } })
  })

  it('imports a CSV: good lines stored, bad lines reported by line number, header and blank lines skipped', async () => {
    const list = await admin().lists.create({ name: 'import countries', kind: 'ALLOW', field: 'country' })
    await admin().lists.addEntries({ listId: list.id, entries: [{ value: 'IN', reason: 'home' }] })
    const csv = [
      'value,reason', // 1: header
      'GB,"Partner bank, London"', // 2
      '', // 3: blank
      'IN,again', // 4: already listed
      'Germany,no', // 5: bad country
      ',no value', // 6: empty value
      'FR,a,b', // 7: three columns
      '   ', // 8: blank
      'US', // 9
      `"ES${'\u0000'}",nul`, // 10: NUL
      'IT,"never closed', // 11: open quote
      'NL,ok', // 12
      `PT,${'x'.repeat(501)}`, // 13: reason too long
    ].join('\r\n')
    const result = await admin().lists.importCsv({ listId: list.id, csv })
    expect(result.imported).toBe(3)
    expect(result.alreadyListed).toBe(1)
    expect(result.errors.map((error) => error.line)).toEqual([5, 6, 7, 10, 11, 13])
    expect(result.errors[0]!.message).toContain('"Germany" is not a country')
    expect(result.errors[1]!.message).toBe('the value is empty')
    expect(result.errors[2]!.message).toContain('3 columns')
    expect(result.errors[3]!.message).toContain('NUL')
    expect(result.errors[4]!.message).toContain('not valid CSV')
    expect(result.errors[5]!.message).toContain('the reason is 501 characters long')
    const entries = await admin().lists.entries({ listId: list.id })
    expect(entries.items.map((item) => [item.value, item.reason])).toEqual([
      ['GB', 'Partner bank, London'],
      ['IN', 'home'],
      ['NL', 'ok'],
      ['US', ''],
    ])
    const audit = await database.db.auditLog.findFirstOrThrow({ where: { orgId: OWNER, action: 'lists.import' } })
    expect(audit).toMatchObject({ entityId: list.id, newData: { added: 3, alreadyListed: 1, badLines: 6 } })
  })

  it('stores none of an import whose transaction fails, even past the first insert statement', async () => {
    const list = await admin().lists.create({ name: 'all or nothing', kind: 'DENY', field: 'account_id' })
    // A database failure on one row of the second insert statement (rows 5,001 on).
    await database.db.$executeRawUnsafe(`
      CREATE FUNCTION refuse_boom() RETURNS trigger AS $$
      BEGIN IF NEW.value = 'ACC-boom' THEN RAISE EXCEPTION 'refused for the test'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`)
    await database.db.$executeRawUnsafe(`CREATE TRIGGER refuse_boom BEFORE INSERT ON "RuleListEntry" FOR EACH ROW EXECUTE FUNCTION refuse_boom()`)
    try {
      const lines = Array.from({ length: 6_000 }, (_, i) => `ACC-${i}`)
      lines[5_500] = 'ACC-boom'
      await expect(admin().lists.importCsv({ listId: list.id, csv: lines.join('\n') })).rejects.toMatchObject({ code: 'INTERNAL_SERVER_ERROR' })
      expect(await database.db.ruleListEntry.count({ where: { listId: list.id } })).toBe(0)
      expect(await database.db.auditLog.count({ where: { orgId: OWNER, action: 'lists.import', entityId: list.id } })).toBe(0)
    } finally {
      await database.db.$executeRawUnsafe('DROP TRIGGER refuse_boom ON "RuleListEntry"')
      await database.db.$executeRawUnsafe('DROP FUNCTION refuse_boom()')
    }
    // Without the fault, the same file goes in whole.
    const lines = Array.from({ length: 6_000 }, (_, i) => `ACC-${i}`)
    await expect(admin().lists.importCsv({ listId: list.id, csv: lines.join('\n') })).resolves.toEqual({ imported: 6_000, alreadyListed: 0, errors: [] })
  })

  it('answers NOT_FOUND, storing nothing, when the list is deleted while its entries go in', async () => {
    const list = await admin().lists.create({ name: 'deleted meanwhile', kind: 'DENY', field: 'account_id' })
    // What Postgres answers when the list row went away under the insert.
    await database.db.$executeRawUnsafe(`
      CREATE FUNCTION list_gone() RETURNS trigger AS $$
      BEGIN RAISE EXCEPTION 'list gone' USING ERRCODE = 'foreign_key_violation'; END $$ LANGUAGE plpgsql`)
    await database.db.$executeRawUnsafe(`CREATE TRIGGER list_gone BEFORE INSERT ON "RuleListEntry" FOR EACH ROW EXECUTE FUNCTION list_gone()`)
    try {
      const error = await errorOf(admin().lists.importCsv({ listId: list.id, csv: 'ACC-1\nACC-2\n' }))
      expect(error).toMatchObject({ code: 'NOT_FOUND', message: 'The list "deleted meanwhile" was deleted meanwhile; nothing was added' })
    } finally {
      await database.db.$executeRawUnsafe('DROP TRIGGER list_gone ON "RuleListEntry"')
      await database.db.$executeRawUnsafe('DROP FUNCTION list_gone()')
    }
  })

  it('refuses to delete a list a draft or the rule set in force names, naming the rules; deletes it once none does', async () => {
    const list = await admin().lists.create({ name: 'mule accounts', kind: 'DENY', field: 'account_id' })
    await admin().lists.addEntries({ listId: list.id, entries: [{ value: 'ACC-9' }] })
    const draft = await database.db.rule.create({
      data: { orgId: OWNER, name: 'MULE', expression: 'amount > 10\nand account_id IN LIST ( "mule accounts" )', mode: 'ACTIVE' },
    })
    const refused = await errorOf(admin().lists.delete({ id: list.id }))
    expect(refused).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('is used by the drafts MULE') })
    expect(refused.cause.details).toMatchObject({ drafts: ['MULE'], inForce: [], version: 0 })

    await database.db.rule.delete({ where: { id: draft.id } })
    await database.db.ruleSetVersion.create({
      data: {
        orgId: OWNER,
        version: 1,
        comment: 'mules',
        publishedById: OWNER,
        rules: [{ name: 'MULE_V1', expression: 'account_id in list("mule accounts")', description: '', mode: 'SHADOW', severityFloor: null, scoreBoost: null }],
      },
    })
    const inForce = await errorOf(admin().lists.delete({ id: list.id }))
    expect(inForce).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('the rules in force (version 1) MULE_V1') })

    await database.db.ruleSetVersion.create({ data: { orgId: OWNER, version: 2, comment: 'no mules', publishedById: OWNER, rules: [] } })
    await expect(admin().lists.delete({ id: list.id })).resolves.toEqual({ id: list.id })
    expect(await database.db.ruleListEntry.count({ where: { listId: list.id } })).toBe(0)
    const audit = await database.db.auditLog.findFirstOrThrow({ where: { orgId: OWNER, action: 'lists.delete' } })
    expect(audit).toMatchObject({ entityId: list.id, oldData: { name: 'mule accounts', entryCount: 1 } })
  })

  it('lets an analyst and a viewer read lists but not change them, saying an admin is needed', async () => {
    const list = (await admin().lists.list())[0]!
    await expect(analyst().lists.entries({ listId: list.id })).resolves.toMatchObject({ total: list.entryCount })
    const attempts = [
      () => analyst().lists.create({ name: 'mine', kind: 'DENY', field: 'account_id' }),
      () => analyst().lists.addEntries({ listId: list.id, entries: [{ value: 'x' }] }),
      () => analyst().lists.removeEntries({ listId: list.id, ids: ['x'] }),
      () => analyst().lists.importCsv({ listId: list.id, csv: 'x' }),
      () => analyst().lists.delete({ id: list.id }),
      () => viewer().lists.create({ name: 'mine', kind: 'DENY', field: 'account_id' }),
    ]
    for (const attempt of attempts) {
      expect(await errorOf(attempt())).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('This needs the admin role') })
    }
    expect((await admin().lists.list()).map((row) => row.name)).not.toContain('mine')
  })

  it("answers NOT_FOUND for another organisation's list ids, and removes nothing of theirs", async () => {
    const ours = await admin().lists.create({ name: 'ours only', kind: 'DENY', field: 'merchant_id' })
    await admin().lists.addEntries({ listId: ours.id, entries: [{ value: 'M-ours' }] })
    const entryId = (await admin().lists.entries({ listId: ours.id })).items[0]!.id
    const attempts = [
      () => foreign().lists.entries({ listId: ours.id }),
      () => foreign().lists.addEntries({ listId: ours.id, entries: [{ value: 'M-theirs' }] }),
      () => foreign().lists.removeEntries({ listId: ours.id, ids: [entryId] }),
      () => foreign().lists.importCsv({ listId: ours.id, csv: 'M-theirs' }),
      () => foreign().lists.delete({ id: ours.id }),
      () => foreign().lists.delete({ id: 'bad\u0000id' }),
    ]
    for (const attempt of attempts) expect(await errorOf(attempt())).toMatchObject({ code: 'NOT_FOUND' })
    const theirs = (await foreign().lists.list())[0]!
    await expect(foreign().lists.removeEntries({ listId: theirs.id, ids: [entryId] })).resolves.toEqual({ removed: 0 })
    expect((await admin().lists.entries({ listId: ours.id })).items.map((item) => item.value)).toEqual(['M-ours'])
    expect((await foreign().lists.list()).map((row) => row.name)).toEqual(['trusted accounts'])
  })

  it('gives the rule language every list of the organisation with its values, and allow lists with reasons', async () => {
    const { infos, lists } = await orgLists(database.db, OWNER)
    expect(infos).toContainEqual({ name: 'import countries', kind: 'ALLOW', field: 'country' })
    expect(infos).toContainEqual({ name: 'blocked merchants', kind: 'DENY', field: 'merchant_id' })
    expect(infos.map((info) => info.name)).not.toContain('mule accounts')
    expect([...(lists.values.get('blocked merchants') ?? [])]).toContain('M007')
    const allow = lists.allow.find((list) => list.name === 'import countries')
    expect(allow?.field).toBe('country')
    expect(allow?.reasons.get('GB')).toBe('Partner bank, London')
    expect(lists.allow.map((list) => list.name)).not.toContain('blocked merchants')
    expect((await orgLists(database.db, OTHER)).infos.map((info) => info.name)).toEqual(['trusted accounts'])
  })

  it('drops the cached rule set on every list change, so the next transaction is checked against the list as changed', async () => {
    clearRuleSetCache()
    const list = await admin().lists.create({ name: 'cache probe', kind: 'ALLOW', field: 'account_id' })
    const values = async () => (await ruleSetFor(database.db, OWNER)).lists.values.get('cache probe')
    const first = await ruleSetFor(database.db, OWNER)
    expect(first.lists.values.get('cache probe')).toEqual(new Set())
    // Unchanged, the cached set is served (so what follows is the invalidation's doing).
    expect(await ruleSetFor(database.db, OWNER)).toBe(first)
    await admin().lists.addEntries({ listId: list.id, entries: [{ value: 'ACC-1', reason: 'payroll' }] })
    expect(await values()).toEqual(new Set(['ACC-1']))
    expect((await ruleSetFor(database.db, OWNER)).lists.allow.find((allow) => allow.name === 'cache probe')?.reasons.get('ACC-1')).toBe('payroll')
    await admin().lists.importCsv({ listId: list.id, csv: 'ACC-2\n' })
    expect(await values()).toEqual(new Set(['ACC-1', 'ACC-2']))
    const acc1 = (await admin().lists.entries({ listId: list.id, search: 'ACC-1' })).items[0]!
    await admin().lists.removeEntries({ listId: list.id, ids: [acc1.id] })
    expect(await values()).toEqual(new Set(['ACC-2']))
    await admin().lists.delete({ id: list.id })
    expect(await values()).toBeUndefined()
  })
})

describe('list CSV and list references (no database)', () => {
  it('reads a header only on the first line, and a value line that says "value" after it', async () => {
    const parsed = await parseListCsv('\n\nvalue\nACC-1\nvalue,reason\n', 'account_id')
    expect(parsed.entries.map((entry) => [entry.line, entry.value, entry.reason])).toEqual([
      [4, 'ACC-1', ''],
      [5, 'value', 'reason'],
    ])
    expect(parsed.errors).toEqual([])
  })

  it('reports at most 1,000 bad lines, then how many more', async () => {
    const parsed = await parseListCsv(Array.from({ length: 1_500 }, () => 'x,y,z').join('\n'), 'account_id')
    expect(parsed.errors).toHaveLength(1_001)
    expect(parsed.errors[1_000]).toEqual({ line: 1_000, message: 'and 500 more bad lines after line 1000, not listed here' })
  })

  it('finds list("…") calls whatever their spacing and case, and nothing else', () => {
    expect(listsNamedIn('account_id in list("a") or merchant_id not in LIST ( "b c" )\nor x in List(\n"d")')).toEqual(new Set(['a', 'b c', 'd']))
    expect(listsNamedIn('blacklist("a") or mylist("b") or country in ("RU")')).toEqual(new Set())
  })
})
