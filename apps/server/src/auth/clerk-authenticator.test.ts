import { beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '@anomalyze/shared'
import { createClerkTestInstance, type ClerkTestInstance } from '../../test/helpers/clerk-tokens.ts'
import { createClerkAuthenticator } from './clerk-authenticator.ts'
import type { Authenticator } from './session.ts'

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

  it('accepts a valid session token and returns its user', async () => {
    const session = await auth.authenticate(await clerk.mint({ sub: 'user_abc' }))
    expect(session).toMatchObject({ userId: 'user_abc', via: 'clerk', scopes: 'all' })
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
