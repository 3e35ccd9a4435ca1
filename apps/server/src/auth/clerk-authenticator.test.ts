import { beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '@anomalyze/shared'
import { createClerkTestInstance, type ClerkTestInstance } from '../../test/helpers/clerk-tokens.ts'
import { createClerkAuthenticator } from './clerk-authenticator.ts'
import type { Authenticator, UserIdentity } from './session.ts'

describe('Clerk authenticator (real @clerk/backend verification, networkless)', () => {
  let clerk: ClerkTestInstance
  let auth: Authenticator

  beforeAll(async () => {
    clerk = await createClerkTestInstance()
    auth = createClerkAuthenticator({
      jwtKey: clerk.publicKeyPem,
      issuer: clerk.issuer,
      authorizedParties: ['http://localhost:5173'],
    })
  })

  it('accepts a valid session token and returns its user, in their own workspace when no organisation is active', async () => {
    const identity = await auth.authenticate(await clerk.mint({ sub: 'user_abc' }))
    expect(identity).toMatchObject({ kind: 'user', userId: 'user_abc', via: 'clerk' })
    expect((identity as UserIdentity).org).toBeUndefined()
  })

  it('reads the active organisation of a v1 token (org_id, org_role, org_slug)', async () => {
    const identity = await auth.authenticate(await clerk.mint({ sub: 'user_abc', org_id: 'org_2acme', org_role: 'org:admin', org_slug: 'acme' }))
    expect(identity).toMatchObject({ kind: 'user', userId: 'user_abc', via: 'clerk', org: { id: 'org_2acme', role: 'ADMIN', name: 'acme' } })
  })

  it("reads the active organisation of a v2 token (o: { id, rol, slg }); Clerk's member is our analyst", async () => {
    const identity = await auth.authenticate(await clerk.mint({ sub: 'user_abc', v: 2, o: { id: 'org_2acme', rol: 'member', slg: 'acme' } }))
    expect(identity).toMatchObject({ kind: 'user', userId: 'user_abc', org: { id: 'org_2acme', role: 'ANALYST', name: 'acme' } })
  })

  it('gives a role it does not know the least access: viewer', async () => {
    const v1 = await auth.authenticate(await clerk.mint({ org_id: 'org_2acme', org_role: 'org:billing_manager' }))
    expect(v1).toMatchObject({ org: { id: 'org_2acme', role: 'VIEWER' } })
    const v2 = await auth.authenticate(await clerk.mint({ v: 2, o: { id: 'org_2acme', rol: 'auditor' } }))
    expect(v2).toMatchObject({ org: { id: 'org_2acme', role: 'VIEWER' } })
  })

  it('maps each role key we define: admin, member and analyst, viewer', async () => {
    const roleOf = async (orgRole: string) =>
      ((await auth.authenticate(await clerk.mint({ org_id: 'org_2acme', org_role: orgRole }))) as UserIdentity).org?.role
    expect(await roleOf('org:admin')).toBe('ADMIN')
    expect(await roleOf('org:member')).toBe('ANALYST')
    expect(await roleOf('org:analyst')).toBe('ANALYST')
    expect(await roleOf('org:viewer')).toBe('VIEWER')
  })

  const rejects = async (token: Promise<string>, reason: RegExp): Promise<void> => {
    const error = await auth.authenticate(await token).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AppError)
    expect((error as AppError).code).toBe('UNAUTHENTICATED')
    expect((error as AppError).message).toMatch(reason)
  }

  it('rejects an expired token', async () => {
    const now = Math.floor(Date.now() / 1000)
    await rejects(clerk.mint({ iat: now - 600, nbf: now - 600, exp: now - 300 }), /expired/i)
  })

  it('rejects a token signed with another key', async () => {
    await rejects(clerk.mint({}, clerk.otherPrivateKey), /signature/i)
  })

  it('rejects a token from another issuer', async () => {
    await rejects(clerk.mint({ iss: 'https://evil.example.com' }), /iss/i)
  })

  it('rejects a token for another authorized party', async () => {
    await rejects(clerk.mint({ azp: 'https://evil.example.com' }), /azp|authorized part/i)
  })

  it('rejects garbage', async () => {
    await rejects(Promise.resolve('not-a-jwt'), /rejected/i)
  })
})
