import bcrypt from 'bcryptjs'
import { describe, expect, it } from 'vitest'
import { bcryptCompareOffThread } from './bcrypt-off-thread.ts'

describe('bcrypt compares on a worker thread', () => {
  it('accepts the right secret and refuses others, also many at once', async () => {
    const hash = await bcrypt.hash('sk_live_right', 4)
    const secrets = ['sk_live_right', 'sk_live_wrong', 'sk_live_right', '']
    expect(await Promise.all(secrets.map((secret) => bcryptCompareOffThread(secret, hash)))).toEqual([true, false, true, false])
  })

  it('refuses against a hash that is not bcrypt instead of failing', async () => {
    expect(await bcryptCompareOffThread('sk_live_right', 'not-a-bcrypt-hash')).toBe(false)
  })
})
