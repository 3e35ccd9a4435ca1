import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { keychainProtector, type TokenProtector } from '../core/session/token-protector.ts'

const IV_BYTES = 12
const TAG_BYTES = 16

/**
 * The session token sealed with AES-256-GCM under a key the main process keeps sealed
 * by the OS keychain (Electron's safeStorage exists only there, and the core host runs
 * in another process). At rest the token is as safe as before: without the keychain
 * the key cannot be read, and without the key the token cannot.
 */
export function sealedTokenProtector(key: Buffer): TokenProtector {
  if (key.length !== 32) throw new Error(`The session key must be 32 bytes (got ${key.length})`)
  return keychainProtector({
    encrypt(plain) {
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return Buffer.concat([iv, cipher.getAuthTag(), sealed])
    },
    decrypt(sealed) {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES))
      decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
      return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8')
    },
  })
}
