import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { AppError } from '@anomalyze/shared'
import { createLocalAuthenticator, LOCAL_USER_ID, mintLocalToken, readOrCreateLocalSecret } from './local-authenticator.ts'

describe('local-mode authenticator', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'anomalyze-local-auth-'))

  it('keeps one secret per data dir and accepts the tokens it mints', async () => {
    const secret = readOrCreateLocalSecret(dir)
    expect(readOrCreateLocalSecret(dir)).toEqual(secret)
    const session = await createLocalAuthenticator(secret).authenticate(await mintLocalToken(secret))
    expect(session).toMatchObject({ userId: LOCAL_USER_ID, via: 'local' })
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
