import { execFile } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClerkAuthenticator } from '../src/auth/clerk-authenticator.ts'
import { createLocalAuthenticator, mintLocalToken, readOrCreateLocalSecret } from '../src/auth/local-authenticator.ts'
import type { LocalTokenMinter } from '../src/services/service-deps.ts'
import { resolveSession } from '../src/services/organizations/resolve-session.ts'
import { ensurePersonalWorkspace } from '../src/services/organizations/workspaces.ts'
import { seedPlans } from '../src/services/billing/plans.ts'
import { callerFor } from './helpers/caller.ts'
import { createClerkTestInstance } from './helpers/clerk-tokens.ts'
import { createTestServices, type TestServices } from './helpers/test-services.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'

const run = promisify(execFile)
const serverDir = path.resolve(import.meta.dirname, '..')

/**
 * Issue #19 points 3, 4 and 8: members added and removed, roles changed, the last admin
 * kept, seats counted; local tokens and Clerk organisation claims placing people in
 * the organisation their token names, through the real verifiers.
 */
describe('members', () => {
  let database: TestDatabase
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'anomalyze-members-'))
  const secret = readOrCreateLocalSecret(dataDir)
  const tokens: LocalTokenMinter = { mint: ({ userId, name, orgId }) => mintLocalToken(secret, userId, { name, orgId }) }
  const local = createLocalAuthenticator(secret)
  let services: TestServices
  const admin = () => callerFor(database.db, 'user_owner', { name: 'Owner' }, { ...services, localTokens: tokens })

  beforeAll(async () => {
    database = await createTestDatabase()
    services = await createTestServices()
    await seedPlans(database.db)
    await ensurePersonalWorkspace(database.db, { id: 'user_owner', name: 'Owner' })
  })
  afterAll(async () => {
    await services.close()
    await database.drop()
  })

  it('adds a teammate whose printed token signs them in to this organisation with their role', async () => {
    const { member, token } = await admin().members.add({ name: 'Priya Sharma', email: 'priya@example.test', role: 'analyst' })
    expect(member).toMatchObject({ name: 'Priya Sharma', role: 'ANALYST' })
    const session = await resolveSession(database.db, await local.authenticate(token))
    expect(session).toMatchObject({ orgId: 'user_owner', userId: member.userId, role: 'ANALYST', via: 'local' })
    const audit = await database.db.auditLog.findFirstOrThrow({ where: { orgId: 'user_owner', action: 'member.add' } })
    expect(audit).toMatchObject({ actor: 'user_owner', entityId: member.userId })
  })

  it('refuses a role name it does not know, with the allowed values', async () => {
    const error = await admin()
      .members.add({ name: 'Someone', role: 'boss' as never })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'BAD_REQUEST' })
    expect(JSON.stringify((error as { cause: unknown }).cause)).toContain('must be one of admin, analyst, viewer')
  })

  it('counts seats: the free plan has 3, the fourth member is refused naming the limit', async () => {
    await admin().members.add({ name: 'Arjun Mehta', role: 'viewer' })
    const error = await admin()
      .members.add({ name: 'One too many', role: 'viewer' })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'TOO_MANY_REQUESTS', message: expect.stringContaining('uses all 3 seats of its Free plan') })
  })

  it('keeps the last admin: demoting or removing them is refused, saying why', async () => {
    const demote = await admin()
      .members.changeRole({ userId: 'user_owner', role: 'ANALYST' })
      .catch((e: unknown) => e)
    expect(demote).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('last admin') })
    const remove = await admin()
      .members.remove({ userId: 'user_owner' })
      .catch((e: unknown) => e)
    expect(remove).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('last admin') })
  })

  it('applies a role change and a removal to the very next request', async () => {
    const members = await admin().members.list()
    const arjun = members.find((m) => m.name === 'Arjun Mehta')!
    const token = await tokens.mint({ userId: arjun.userId, name: 'Arjun Mehta', orgId: 'user_owner' })
    expect((await resolveSession(database.db, await local.authenticate(token))).role).toBe('VIEWER')
    await admin().members.changeRole({ userId: arjun.userId, role: 'ADMIN' })
    expect((await resolveSession(database.db, await local.authenticate(token))).role).toBe('ADMIN')
    await admin().members.remove({ userId: arjun.userId })
    await expect(resolveSession(database.db, await local.authenticate(token))).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'You are not a member of organisation user_owner',
    })
    expect((await admin().members.list()).map((m) => m.name)).not.toContain('Arjun Mehta')
  })

  it('refuses a non-admin member management, naming the role needed', async () => {
    const priya = (await admin().members.list()).find((m) => m.name === 'Priya Sharma')!
    const error = await callerFor(database.db, priya.userId, { orgId: 'user_owner', role: 'ANALYST' }, { ...services, localTokens: tokens })
      .members.add({ name: 'Sneaky', role: 'admin' })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('needs the admin role') })
  })

  it('places Clerk members by their token: v1 and v2 organisation claims, mapped roles, unknown roles as viewers, removed members refused', async () => {
    const clerk = await createClerkTestInstance()
    const verify = createClerkAuthenticator({ jwtKey: clerk.publicKeyPem, issuer: clerk.issuer })
    const place = async (claims: Record<string, unknown>) => resolveSession(database.db, await verify.authenticate(await clerk.mint(claims)))

    expect(await place({ sub: 'user_clerk_a', org_id: 'org_acme', org_role: 'org:admin', org_slug: 'acme' })).toMatchObject({
      orgId: 'org_acme',
      role: 'ADMIN',
    })
    expect(await database.db.organization.findUniqueOrThrow({ where: { id: 'org_acme' } })).toMatchObject({ name: 'acme', personal: false })
    expect(await place({ sub: 'user_clerk_b', v: 2, o: { id: 'org_acme', rol: 'member', slg: 'acme' } })).toMatchObject({ orgId: 'org_acme', role: 'ANALYST' })
    expect(await place({ sub: 'user_clerk_c', org_id: 'org_acme', org_role: 'org:auditor' })).toMatchObject({ role: 'VIEWER' })
    // The same person in another organisation works in the one the token names.
    expect(await place({ sub: 'user_clerk_a', org_id: 'org_other', org_role: 'org:member' })).toMatchObject({ orgId: 'org_other', role: 'ANALYST' })
    // Without an organisation: their own workspace.
    expect(await place({ sub: 'user_clerk_a' })).toMatchObject({ orgId: 'user_clerk_a', role: 'ADMIN' })
    // Clerk changed b's role: the next token brings it.
    expect(await place({ sub: 'user_clerk_b', org_id: 'org_acme', org_role: 'org:admin' })).toMatchObject({ role: 'ADMIN' })

    const acmeAdmin = callerFor(database.db, 'user_clerk_a', { orgId: 'org_acme', role: 'ADMIN', via: 'clerk' })
    await acmeAdmin.members.remove({ userId: 'user_clerk_c' })
    await expect(place({ sub: 'user_clerk_c', org_id: 'org_acme', org_role: 'org:member' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'You are not a member of organisation org_acme',
    })
  })

  it('a local token naming an organisation the person is not a member of is refused, naming it', async () => {
    const token = await mintLocalToken(secret, 'user_owner', { orgId: 'org_acme' })
    await expect(resolveSession(database.db, await local.authenticate(token))).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'You are not a member of organisation org_acme',
    })
  })

  it("writes to a team at its earliest admin's address when its settings name none", async () => {
    const db = database.db
    await db.organization.create({ data: { id: 'org_mail', name: 'Mail team' } })
    for (const [id, email, role] of [
      ['user_mail_analyst', 'analyst@example.test', 'ANALYST'],
      ['user_mail_admin', 'admin@example.test', 'ADMIN'],
    ] as const) {
      await db.user.create({ data: { id, email } })
      await db.membership.create({ data: { orgId: 'org_mail', userId: id, role } })
    }
    const settings = await callerFor(db, 'user_mail_analyst', { orgId: 'org_mail', role: 'ANALYST' }).notifications.settings()
    expect(settings.email).toBe('admin@example.test')
  })

  it('anomalyze-server users add prints a working token once; a bad role exits 2 listing the roles', async () => {
    const env = { ...process.env, DATABASE_URL: database.url, ANOMALYZE_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }
    const tsx = path.join(serverDir, 'node_modules/.bin/tsx')
    const added = await run(tsx, ['src/cli/anomalyze-server.ts', 'users', 'add', 'Kiran Rao', '--role', 'Analyst'], { cwd: serverDir, env })
    const token = added.stdout.trim().split('\n').at(-1)!
    expect(added.stdout).toContain('Added Kiran Rao (analyst) to local_analyst')
    const session = await resolveSession(database.db, await local.authenticate(token))
    expect(session).toMatchObject({ orgId: 'local_analyst', role: 'ANALYST', name: 'Kiran Rao' })

    const refused = await run(tsx, ['src/cli/anomalyze-server.ts', 'users', 'add', 'X', '--role', 'boss'], { cwd: serverDir, env }).catch((e: unknown) => e)
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining('role: must be one of admin, analyst, viewer') })
    const list = await run(tsx, ['src/cli/anomalyze-server.ts', 'users', 'list'], { cwd: serverDir, env })
    expect(list.stdout).toMatch(/admin\s+Local analyst/)
    expect(list.stdout).toMatch(/analyst\s+Kiran Rao/)
  }, 60_000)
})
