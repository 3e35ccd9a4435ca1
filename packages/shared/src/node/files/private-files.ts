import { chmodSync, closeSync, fchmodSync, createWriteStream, existsSync, mkdirSync, openSync, writeFileSync, type WriteStream } from 'node:fs'
import { chmod, mkdir, open, writeFile } from 'node:fs/promises'

/**
 * Files of the product hold customer data (transactions, scores, uploads, reports,
 * sessions and secrets): every folder the server or the console creates is owner-only
 * (0700) and every file owner-only (0600). Both create their folders and files through
 * here, so the policy lives in one place. Modes given at creation are masked by the umask, and an existing
 * file or folder keeps its mode, hence the explicit chmod afterwards. Windows has no
 * POSIX modes (the user's profile folder is private there): chmod is skipped.
 */
export const PRIVATE_DIR_MODE = 0o700
export const PRIVATE_FILE_MODE = 0o600

const POSIX = process.platform !== 'win32'

/**
 * Creates a folder (and missing parents) and makes the folder itself owner-only, or
 * gives it `mode` (the server's data dir, which the `postgres` user must pass through).
 */
export function ensurePrivateDir(dir: string, mode: number = PRIVATE_DIR_MODE): string {
  mkdirSync(dir, { recursive: true, mode })
  if (POSIX) chmodSync(dir, mode)
  return dir
}

export async function ensurePrivateDirAsync(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE })
  if (POSIX) await chmod(dir, PRIVATE_DIR_MODE)
  return dir
}

/** Makes an existing file owner-only; a missing one is ignored (e.g. a -wal not yet created). */
export function restrictFile(path: string): void {
  if (POSIX && existsSync(path)) chmodSync(path, PRIVATE_FILE_MODE)
}

/** Creates the file empty with mode 0600 when it does not exist yet (before another library opens it). */
export function touchPrivateFile(path: string): void {
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE))
  restrictFile(path)
}

/** Writes a file only this user can read, also when it existed with wider modes. */
export function writePrivateFileSync(path: string, data: string | Uint8Array): void {
  writeFileSync(path, data, { mode: PRIVATE_FILE_MODE })
  restrictFile(path)
}

export async function writePrivateFile(path: string, data: string | Uint8Array): Promise<void> {
  await writeFile(path, data, { mode: PRIVATE_FILE_MODE })
  if (POSIX) await chmod(path, PRIVATE_FILE_MODE)
}

/**
 * A write stream on a file that is created 0600. `flags: 'wx'` refuses an existing
 * file (the stream emits EEXIST); with 'w' an existing file is truncated and chmod-ed.
 */
export function privateWriteStream(path: string, flags: 'w' | 'wx' = 'w'): WriteStream {
  const stream = createWriteStream(path, { flags, mode: PRIVATE_FILE_MODE })
  // An existing file opened with 'w' keeps its old mode otherwise.
  if (POSIX) stream.once('open', (fd: number) => fchmodSync(fd, PRIVATE_FILE_MODE))
  return stream
}

/**
 * Opens the file first (so a refused path is a rejected promise, not a stream 'error'
 * event nobody listens to), 0600, then streams into it. 'wx' refuses an existing file
 * (EEXIST); 'w' truncates one and makes it owner-only.
 */
export async function openPrivateWriteStream(path: string, flags: 'w' | 'wx' = 'w'): Promise<WriteStream> {
  const handle = await open(path, flags, PRIVATE_FILE_MODE)
  try {
    if (POSIX) await handle.chmod(PRIVATE_FILE_MODE)
  } catch (error) {
    await handle.close()
    throw error
  }
  return handle.createWriteStream()
}
