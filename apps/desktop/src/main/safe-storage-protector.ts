import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { safeStorage } from 'electron'

const SESSION_KEY_FILE = 'session-key.sealed'

/**
 * The key that seals the session token (core-host/sealed-token.ts), kept on disk
 * encrypted with the OS keychain (Keychain on macOS, DPAPI on Windows, libsecret/kwallet
 * on Linux). safeStorage exists only in this process; the core host, which stores the
 * token, gets the key once at start. Where no keychain is available (a bare Linux
 * session), Electron would fall back to a hard-coded key; we say so and return null: the
 * token is then protected by file permissions only, instead of pretending it is encrypted.
 */
export function keychainSessionKey(dataDir: string): string | null {
  const backend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os'
  if (!safeStorage.isEncryptionAvailable() || backend === 'basic_text') {
    console.warn(`[anomalyze] OS keychain unavailable (${backend}); the session token is protected by file permissions only`)
    return null
  }
  const file = join(dataDir, SESSION_KEY_FILE)
  if (existsSync(file)) {
    try {
      return safeStorage.decryptString(readFileSync(file))
    } catch {
      // Another account's keychain (a copied profile): a new key; the saved session then
      // reads as signed out (the analyst signs in again), never as garbage.
      console.warn('[anomalyze] the session key could not be read with this keychain; a new one is made')
    }
  }
  const key = randomBytes(32).toString('base64')
  writeFileSync(file, safeStorage.encryptString(key), { mode: 0o600 })
  return key
}
