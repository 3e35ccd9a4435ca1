import { existsSync } from 'node:fs'
import { chmod, lstat, readdir } from 'node:fs/promises'
import path from 'node:path'
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, writePrivateFile } from '@anomalyze/shared/node'

/**
 * Everything the server keeps on disk (uploads, reports, invoices, scored rows, the
 * local-mode token and secrets) is readable by this user only: folders 0700, files
 * 0600. New files are created so (@anomalyze/shared/node's private-files.ts, shared
 * with the console); files of older installs, created
 * 0644 in 0755 folders, are changed once at start (privatizeTree).
 *
 * One exception, by necessity: when the server runs as root, the embedded Postgres runs
 * as the `postgres` user and must pass through the data dir to its cluster, so the data
 * dir and its `postgres/` folder are 0711 (enter, not list). Every file in them is still
 * 0600 and every other folder 0700, so that user can reach nothing but its cluster
 * (which Postgres keeps 0700 itself).
 */
/** A folder another local user (the `postgres` user) must pass through, not list. */
export const TRAVERSE_ONLY_DIR_MODE = 0o711

/** Marks a tree done, so later starts skip the walk (new files are created private). */
const DONE_MARKER = '.private-modes-v1'

/**
 * Sets 0700 on every folder and 0600 on every file under `root` (symbolic links are
 * left alone, and so are the paths in `skip`, e.g. the Postgres cluster), once: a
 * marker file records a complete walk.
 */
export async function privatizeTree(root: string, options: { skip?: readonly string[]; rootMode?: number; force?: boolean } = {}): Promise<void> {
  if (!existsSync(root)) return
  const rootMode = options.rootMode ?? PRIVATE_DIR_MODE
  await chmod(root, rootMode)
  const marker = path.join(root, DONE_MARKER)
  if (!options.force && existsSync(marker)) return
  const skip = new Set((options.skip ?? []).map((p) => path.resolve(p)))
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (skip.has(path.resolve(full))) continue
      if (entry.isDirectory()) {
        await chmod(full, PRIVATE_DIR_MODE)
        await walk(full)
      } else if (entry.isFile()) {
        await chmod(full, PRIVATE_FILE_MODE)
      }
    }
  }
  await walk(root)
  // Still a directory? (the walk may race a deletion in tests; then nothing is marked)
  if ((await lstat(root)).isDirectory()) await writePrivateFile(marker, 'files here are 0600, folders 0700\n')
}
