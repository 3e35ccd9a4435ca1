import { safeStorage } from 'electron'
import { filePermissionsProtector, keychainProtector, type TokenProtector } from '../core/session/token-protector.ts'

/**
 * The session token encrypted with the OS keychain (Keychain on macOS, DPAPI on
 * Windows, libsecret/kwallet on Linux). Where no keychain is available (a bare Linux
 * session), Electron would fall back to a hard-coded key; we say so and rely on file
 * permissions instead of pretending the token is encrypted.
 */
export function safeStorageProtector(): TokenProtector {
  const backend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os'
  if (!safeStorage.isEncryptionAvailable() || backend === 'basic_text') {
    console.warn(`[anomalyze] OS keychain unavailable (${backend}); the session token is protected by file permissions only`)
    return filePermissionsProtector
  }
  return keychainProtector({
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (sealed) => safeStorage.decryptString(sealed),
  })
}
