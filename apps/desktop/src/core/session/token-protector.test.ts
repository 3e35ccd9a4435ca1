import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { statSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { FakeSyncServer } from '../../../test/support/fake-sync-server.ts'
import { makeAnomaly, tempStore } from '../../../test/support/fixtures.ts'
import { SyncEngine } from '../sync/sync-engine.ts'
import { filePermissionsProtector, keychainProtector } from './token-protector.ts'

/** AES-GCM with a per-test key: stands in for the OS keychain Electron's safeStorage uses. */
function aesKeychain(key = randomBytes(32)) {
  return keychainProtector({
    encrypt(plain) {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return Buffer.concat([iv, cipher.getAuthTag(), body])
    },
    decrypt(sealed) {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12))
      decipher.setAuthTag(sealed.subarray(12, 28))
      return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8')
    },
  })
}

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup()
})

describe('session token at rest', () => {
  it('stores only ciphertext with a keychain, and the session survives a restart', async () => {
    const temp = tempStore()
    cleanups.push(temp.cleanup)
    const server = new FakeSyncServer([makeAnomaly(1)])
    const keychain = aesKeychain()
    const engine = new SyncEngine({ store: temp.store, createClient: () => server.client(), tokenProtector: keychain })
    await engine.signIn('http://127.0.0.1:1', 'secret-session-token')

    const stored = temp.store.state.get('token')
    expect(stored).toMatch(/^keychain:/)
    expect(stored).not.toContain('secret-session-token')
    expect(engine.status()).toMatchObject({ signedIn: true, sessionProtection: 'os-keychain' })

    // Same keychain after a restart: still signed in, offline use and sync keep working.
    const again = new SyncEngine({ store: temp.store, createClient: () => server.client(), tokenProtector: keychain })
    expect(again.status().signedIn).toBe(true)
    expect((await again.syncNow()).error).toBeNull()
  })

  it('reads as signed out, not as garbage, where the keychain entry is missing', async () => {
    const temp = tempStore()
    cleanups.push(temp.cleanup)
    const server = new FakeSyncServer([])
    await new SyncEngine({ store: temp.store, createClient: () => server.client(), tokenProtector: aesKeychain() }).signIn('http://127.0.0.1:1', 't')
    expect(new SyncEngine({ store: temp.store, createClient: () => server.client(), tokenProtector: aesKeychain() }).status().signedIn).toBe(false)
    expect(new SyncEngine({ store: temp.store, createClient: () => server.client() }).status().signedIn).toBe(false)
  })

  it('without a keychain keeps the token in a cache file only its owner can read', async () => {
    const temp = tempStore()
    cleanups.push(temp.cleanup)
    const server = new FakeSyncServer([])
    const engine = new SyncEngine({ store: temp.store, createClient: () => server.client() })
    await engine.signIn('http://127.0.0.1:1', 'plain-token')
    expect(engine.status().sessionProtection).toBe('file-permissions')
    expect(filePermissionsProtector.reveal(temp.store.state.get('token') ?? '')).toBe('plain-token')
    if (process.platform !== 'win32') expect(statSync(temp.file).mode & 0o777).toBe(0o600)
  })
})
