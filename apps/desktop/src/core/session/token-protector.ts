import { AppError } from '@anomalyze/shared'

/**
 * How the session token rests on disk. In Electron the core host seals it with
 * AES-256-GCM under a key the main process keeps sealed by the OS keychain
 * (`core-host/sealed-token.ts`, `main/safe-storage-protector.ts`); the browser mode
 * and the CLI have no keychain API in plain Node, so they rely on the cache folder
 * being the user's own (the cache file is created 0600).
 *
 * Stored values carry a scheme prefix, so a token saved by one protector is never
 * misread by another: a cache copied to a machine without the keychain entry reads
 * as signed out, not as garbage sent to the server.
 */
export interface TokenProtector {
  readonly kind: 'os-keychain' | 'file-permissions'
  protect(token: string): string
  /** The token, or throws AppError UNAUTHENTICATED when this protector cannot read it. */
  reveal(stored: string): string
}

const PLAIN_PREFIX = 'plain:'

export const filePermissionsProtector: TokenProtector = {
  kind: 'file-permissions',
  protect: (token) => `${PLAIN_PREFIX}${token}`,
  reveal(stored) {
    if (stored.startsWith(PLAIN_PREFIX)) return stored.slice(PLAIN_PREFIX.length)
    // Caches written before the prefix existed hold the bare token.
    if (!stored.includes(':')) return stored
    throw new AppError('UNAUTHENTICATED', 'The saved session was encrypted by the desktop app and cannot be read here. Sign in again.')
  },
}

/** Builds a keychain protector from an encrypt/decrypt pair (Electron's safeStorage in production). */
export function keychainProtector(cipher: { encrypt(plain: string): Buffer; decrypt(sealed: Buffer): string }): TokenProtector {
  const prefix = 'keychain:'
  return {
    kind: 'os-keychain',
    protect: (token) => `${prefix}${cipher.encrypt(token).toString('base64')}`,
    reveal(stored) {
      if (!stored.startsWith(prefix)) return filePermissionsProtector.reveal(stored)
      try {
        return cipher.decrypt(Buffer.from(stored.slice(prefix.length), 'base64'))
      } catch {
        throw new AppError('UNAUTHENTICATED', "The saved session could not be decrypted with this account's keychain. Sign in again.")
      }
    },
  }
}
