import { randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { AppError } from '@anomalyze/shared'
import { assertValidKey, type ObjectStore } from './object-store.ts'
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '@anomalyze/shared/node'
import type { LinkSigner } from './signed-links.ts'

export interface LocalFolderStoreOptions {
  root: string
  signer: LinkSigner
  /** Base URL of this server (known only once it listens), for download links. */
  publicUrl: () => string
}

/**
 * Files under one folder; writes go to a temporary name and are renamed into place.
 * Folders are created 0700 and files 0600 (private-files.ts): this user only.
 */
export function createLocalFolderStore(options: LocalFolderStoreOptions): ObjectStore {
  const fileFor = (key: string): string => {
    assertValidKey(key)
    return path.join(options.root, ...key.split('/'))
  }
  return {
    kind: 'local',
    async put(key, body) {
      const file = fileFor(key)
      await mkdir(path.dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE })
      const temporary = `${file}.partial-${randomUUID()}`
      try {
        const source = typeof body === 'string' || Buffer.isBuffer(body) ? Readable.from([body]) : body
        await pipeline(source, createWriteStream(temporary, { mode: PRIVATE_FILE_MODE }))
        await rename(temporary, file)
      } catch (error) {
        await rm(temporary, { force: true })
        throw error
      }
      return { key, size: (await stat(file)).size }
    },
    async get(key) {
      const file = fileFor(key)
      try {
        await stat(file)
      } catch {
        throw new AppError('NOT_FOUND', `No stored file "${key}"`)
      }
      return createReadStream(file)
    },
    async head(key) {
      const file = fileFor(key)
      try {
        return { key, size: (await stat(file)).size }
      } catch {
        return null
      }
    },
    async delete(key) {
      await rm(fileFor(key), { force: true })
    },
    async downloadUrl(key, { expiresInSeconds, fileName }) {
      assertValidKey(key)
      const expires = Math.floor(Date.now() / 1000) + expiresInSeconds
      const name = fileName ?? path.posix.basename(key)
      const query = new URLSearchParams({ expires: String(expires), name, sig: options.signer.sign(key, expires, name) })
      return `${options.publicUrl()}/files/${key}?${query.toString()}`
    },
  }
}
