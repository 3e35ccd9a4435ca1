import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { AppError } from '@anomalyze/shared'
import { startApp, type RunningApp } from '../src/app/start-app.ts'
import { createApiKeyAuthenticator } from '../src/auth/api-key-authenticator.ts'
import { AUTH_THROTTLE_DEFAULTS, createAuthThrottle } from '../src/auth/auth-throttle.ts'
import { bcryptCompareOffThread } from '../src/auth/bcrypt-off-thread.ts'
import { createApiKey } from '../src/services/api-keys/manage-api-keys.ts'
import { loadEnv } from '../src/env.ts'
import { testLogger } from './helpers/silent-logger.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'
import { ensurePersonalWorkspace } from '../src/services/organizations/workspaces.ts'

const { prefixLimit, addressLimit } = AUTH_THROTTLE_DEFAULTS

/** A wrong secret for the same key prefix (same shape, so it reaches the key lookup). */
const wrongSecret = (secret: string, i: number): string => `${secret.slice(0, -6)}${String(i).padStart(6, 'Z')}`

const outcome = (settled: PromiseSettledResult<unknown>): string => {
  if (settled.status === 'fulfilled') return 'ok'
  const error = settled.reason as unknown
  return error instanceof AppError ? error.code : `other: ${String(error)}`
}

describe('failed authentications are throttled and never cost the real key', () => {
  let database: TestDatabase
  let app: RunningApp

  beforeAll(async () => {
    database = await createTestDatabase()
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'anomalyze-throttle-'))
    app = await startApp(loadEnv({ DATABASE_URL: database.url, ANOMALYZE_DATA_DIR: dataDir, PORT: '0' }), testLogger)
  })
  afterAll(async () => {
    await app.stop()
    await database.drop()
  })

  let users = 0
  /** A key of a workspace of its own (the Free plan allows few keys). */
  const newKey = async (name: string): Promise<string> => {
    const userId = `user_throttle_${(users += 1)}`
    await ensurePersonalWorkspace(app.db, { id: userId })
    return (await createApiKey(app.db, { orgId: userId, userId }, { name, scopes: ['anomalies:read'] })).secret
  }

  it('150 wrong secrets for a verified key: no compare, 429 past the limit, the real key unaffected', async () => {
    const secret = await newKey('victim')
    let clock = Date.now()
    const compare = vi.fn(bcryptCompareOffThread)
    const throttle = createAuthThrottle({ now: () => clock })
    const auth = createApiKeyAuthenticator(app.db, { now: () => clock, compareHash: compare, throttle })
    await auth.authenticate(secret, { ip: '203.0.113.1' })
    expect(compare).toHaveBeenCalledTimes(1)

    // The storm, from many addresses, with the real key's own calls in the middle of it.
    const storm = Array.from({ length: 150 }, (_, i) => auth.authenticate(wrongSecret(secret, i), { ip: `198.51.100.${i % 100}` }))
    const during = Array.from({ length: 5 }, () => auth.authenticate(secret, { ip: '203.0.113.1' }))
    const results = (await Promise.allSettled(storm)).map(outcome)
    expect(results.filter((r) => r === 'UNAUTHENTICATED')).toHaveLength(prefixLimit)
    expect(results.filter((r) => r === 'LIMIT_EXCEEDED')).toHaveLength(150 - prefixLimit)
    expect((await Promise.allSettled(during)).map(outcome)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok'])
    // Guesses against a verified key are known wrong without bcrypt; the real key's entry stays.
    expect(compare).toHaveBeenCalledTimes(1)

    const refused = await auth.authenticate(wrongSecret(secret, 999), { ip: '192.0.2.9' }).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(AppError)
    expect((refused as AppError).details).toMatchObject({ limit: 'auth_failures_per_key', retryAfterSeconds: expect.any(Number) })
    expect(((refused as AppError).details as { retryAfterSeconds: number }).retryAfterSeconds).toBeLessThanOrEqual(60)

    // Past its minute the entry would be re-verified, but while the prefix is throttled
    // the verified secret gets in without a compare.
    clock += 61_000
    const again = await Promise.allSettled(Array.from({ length: prefixLimit + 1 }, (_, i) => auth.authenticate(wrongSecret(secret, i), { ip: '192.0.2.8' })))
    expect(again.map(outcome).filter((r) => r === 'LIMIT_EXCEEDED')).toHaveLength(1)
    await auth.authenticate(secret, { ip: '203.0.113.1' })
    expect(compare).toHaveBeenCalledTimes(1)
    // After the window: wrong secrets are plain 401s again, the real key verifies as usual.
    clock += 62_000
    await expect(auth.authenticate(wrongSecret(secret, 1000), { ip: '192.0.2.9' })).rejects.toThrow('Invalid API key')
    await auth.authenticate(secret, { ip: '203.0.113.1' })
    expect(compare).toHaveBeenCalledTimes(2)
  })

  it('a key not verified yet: parallel guesses run at most the limit of compares, the rest are 429 without bcrypt', async () => {
    const secret = await newKey('cold')
    let clock = Date.now()
    const compare = vi.fn(bcryptCompareOffThread)
    const throttle = createAuthThrottle({ now: () => clock })
    const auth = createApiKeyAuthenticator(app.db, { now: () => clock, compareHash: compare, throttle })
    const results = (
      await Promise.allSettled(Array.from({ length: 150 }, (_, i) => auth.authenticate(wrongSecret(secret, i), { ip: `198.51.100.${i % 100}` })))
    ).map(outcome)
    expect(compare.mock.calls.length).toBeLessThanOrEqual(prefixLimit)
    expect(results.filter((r) => r === 'UNAUTHENTICATED')).toHaveLength(compare.mock.calls.length)
    expect(results.filter((r) => r === 'LIMIT_EXCEEDED')).toHaveLength(150 - compare.mock.calls.length)
    // Not verified in this process, the real secret waits out the window like any other.
    await expect(auth.authenticate(secret, { ip: '203.0.113.1' })).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' })
    clock += 61_000
    await auth.authenticate(secret, { ip: '203.0.113.1' })
    const compares = compare.mock.calls.length
    // Verified now: guesses fail without bcrypt, the real key goes on from its cache.
    await Promise.allSettled(Array.from({ length: 50 }, (_, i) => auth.authenticate(wrongSecret(secret, i), { ip: '198.51.100.7' })))
    await auth.authenticate(secret, { ip: '203.0.113.1' })
    expect(compare).toHaveBeenCalledTimes(compares)
  })

  it('counts failures per address across keys, unknown keys and malformed ones', async () => {
    const throttle = createAuthThrottle()
    const compare = vi.fn(bcryptCompareOffThread)
    const auth = createApiKeyAuthenticator(app.db, { compareHash: compare, throttle })
    const secret = await newKey('bystander')
    const guesses = Array.from({ length: addressLimit + 5 }, (_, i) =>
      i % 2 === 0 ? `sk_live_unk${String(i).padStart(9, '0')}_${'a'.repeat(32)}` : 'sk_live_nope',
    )
    const results: string[] = []
    for (const guess of guesses) results.push(outcome((await Promise.allSettled([auth.authenticate(guess, { ip: '198.51.100.200' })]))[0]!))
    expect(results.slice(0, addressLimit).every((r) => r === 'UNAUTHENTICATED')).toBe(true)
    expect(results.slice(addressLimit).every((r) => r === 'LIMIT_EXCEEDED')).toBe(true)
    // The address is throttled for a real key it has not verified; another address is not.
    await expect(auth.authenticate(secret, { ip: '198.51.100.200' })).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' })
    await auth.authenticate(secret, { ip: '198.51.100.201' })
    expect(compare).toHaveBeenCalledTimes(1)
  })

  it('over HTTP: 401 then 429 with Retry-After (tRPC and /sync/pull); a valid local token still gets in', async () => {
    const secret = await newKey('http victim')
    const get = (url: string, token: string) => fetch(`${app.url}${url}`, { headers: { authorization: `Bearer ${token}` } })
    const list = (token: string) => get(`/trpc/anomalies.list?input=${encodeURIComponent('{}')}`, token)
    expect((await list(secret)).status).toBe(200)
    const statuses: number[] = []
    for (let i = 0; i < prefixLimit + 2; i += 1) statuses.push((await list(wrongSecret(secret, i))).status)
    expect(statuses).toEqual([...Array<number>(prefixLimit).fill(401), 429, 429])
    const refused = await list(wrongSecret(secret, 77))
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(((await refused.json()) as any).error.data.appError.details.retryAfterSeconds).toBeGreaterThan(0)
    const pull = await get('/sync/pull', wrongSecret(secret, 78))
    expect(pull.status).toBe(429)
    expect(Number(pull.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await list(secret)).status).toBe(200)

    // Local-mode tokens that fail count against the address (loopback here) too.
    const seen: number[] = []
    for (let i = 0; i < addressLimit; i += 1) seen.push((await list(`not-a-token-${i}`)).status)
    expect(seen.at(-1)).toBe(429)
    expect(seen.filter((s) => s === 401).length).toBeLessThanOrEqual(addressLimit)
    expect((await list(app.localToken!)).status).toBe(200)
  })
})
