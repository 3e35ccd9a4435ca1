import type { Readable } from 'node:stream'

/**
 * Where files live: uploaded CSVs, model artifacts, invoices, reports. A local folder
 * by default, any S3-compatible store when configured (see create-object-store.ts).
 *
 * Keys are relative paths such as `users/<orgId>/batches/<jobId>.csv`. `put` is
 * all-or-nothing: a reader never sees half a file under its key, which is what lets
 * a job publish a report only once it is complete.
 */
export interface ObjectStore {
  readonly kind: 'local' | 's3'
  put(key: string, body: Readable | Buffer | string, options?: PutOptions): Promise<StoredObject>
  /** Streams the object; throws AppError NOT_FOUND when there is none. */
  get(key: string): Promise<Readable>
  /** Size of the object, or null when there is none. */
  head(key: string): Promise<StoredObject | null>
  delete(key: string): Promise<void>
  /** A link anyone holding it can download from until it expires. */
  downloadUrl(key: string, options: DownloadUrlOptions): Promise<string>
}

export interface PutOptions {
  contentType?: string
}

export interface StoredObject {
  key: string
  size: number
}

export interface DownloadUrlOptions {
  expiresInSeconds: number
  /** File name the browser saves as. */
  fileName?: string
}

const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/

/** Keys are plain relative paths: no `..`, no leading slash, no odd characters. */
export function assertValidKey(key: string): void {
  if (key.length > 512 || !KEY_PATTERN.test(key) || key.split('/').some((part) => part === '..' || part === '.')) {
    throw new Error(`Invalid object key "${key}": use letters, digits, ".", "_", "-" and "/" separators`)
  }
}
