import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { AppError } from '@anomalyze/shared'
import { createLocalAuthenticator, LOCAL_USER_ID, mintLocalToken, readOrCreateLocalSecret } from './local-authenticator.ts'
import type { UserIdentity } from './session.ts'

describe('local-mode authenticator', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'anomalyze-local-auth-'))

  it('keeps one secret per data dir and accepts the tokens it mints', async () => {
    const secret = readOrCreateLocalSecret(dir)
    expect(readOrCreateLocalSecret(dir)).toEqual(secret)
    const identity = await createLocalAuthenticator(secret).authenticate(await mintLocalToken(secret))
    expect(identity).toMatchObject({ kind: 'user', userId: LOCAL_USER_ID, name: 'Local analyst', via: 'local' })
    // No organisation named: the person's own workspace.
    expect((identity as UserIdentity).org).toBeUndefined()
  })

  it("carries a teammate's organisation claim (membership is checked later, in the database)", async () => {
    const secret = readOrCreateLocalSecret(dir)
    const token = await mintLocalToken(secret, 'local_priya', { name: 'Priya', orgId: 'org_local_team' })
    expect(await createLocalAuthenticator(secret).authenticate(token)).toMatchObject({
      kind: 'user',
      userId: 'local_priya',
      name: 'Priya',
      via: 'local',
      org: { id: 'org_local_team' },
    })
  })

  it('rejects a token minted with another secret', async () => {
    const secret = readOrCreateLocalSecret(dir)
    const other = readOrCreateLocalSecret(mkdtempSync(path.join(os.tmpdir(), 'anomalyze-local-auth-')))
    const error = await createLocalAuthenticator(secret)
      .authenticate(await mintLocalToken(other))
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AppError)
    expect((error as AppError).code).toBe('UNAUTHENTICATED')
  })
})
