import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, realpathSync, rmSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from 'pino'
import { writePrivateFileSync } from '@anomalyze/shared/node'

/**
 * What a start finds of an earlier embedded Postgres in its data dir. A server killed
 * hard (kill -9, a crash) leaves its Postgres running: it holds the port and the data
 * dir, and the next start failed. Postgres's own `postmaster.pid` names the process;
 * `owner.json` beside the cluster names the server that started it.
 *
 * - no pid file, or its process is gone (or is no Postgres of this data dir): nothing
 *   runs; a stale pid file is removed;
 * - the Postgres of this data dir, whose server is still running (a second start on
 *   the same data dir): refused, naming that server;
 * - the Postgres of this data dir, whose server is gone: an orphan, stopped (fast
 *   shutdown, then immediate, then SIGKILL as a last resort) with one log line.
 *
 * Then the port must be free: if something else holds it, the start stops with a
 * message naming the port and PG_PORT.
 */
export async function clearEarlierPostgres(options: { dir: string; dataDir: string; port: number; log?: Logger | undefined }): Promise<void> {
  const { dir, dataDir, port, log } = options
  const pidFile = path.join(dataDir, 'postmaster.pid')
  const lines = existsSync(pidFile) ? readFileSync(pidFile, 'utf8').split('\n') : null
  const pid = lines ? Number(lines[0]) : NaN
  if (lines && Number.isInteger(pid) && pid > 0) {
    if (!isAlive(pid) || !isPostgresOf(pid, dataDir, lines[1])) {
      rmSync(pidFile, { force: true })
      log?.info({ pidFile, pid }, 'embedded Postgres: removed a stale postmaster.pid (its process is gone)')
    } else {
      const owner = readOwner(dir)
      const parent = parentOf(pid)
      const ownerRuns = owner !== null && owner !== process.pid && isAlive(owner) && (parent === undefined || parent === owner)
      // Without owner.json (a cluster started by an older version): its parent, if a live Node.
      const nodeParentRuns = owner === null && parent !== undefined && parent > 1 && isAlive(parent) && isNode(parent)
      if (ownerRuns || nodeParentRuns) {
        throw new Error(
          `The embedded Postgres in ${dataDir} (pid ${pid}) belongs to a server that is still running (pid ${ownerRuns ? owner : parent}). ` +
            'Stop that server first, or use another ANOMALYZE_DATA_DIR.',
        )
      }
      await stopProcess(pid)
      log?.warn(
        { pid, dataDir, port: Number(lines[3]) || undefined },
        `embedded Postgres: stopped an orphaned cluster (pid ${pid}) left running in this data dir by a server that ended without stopping it`,
      )
    }
  }
  if (!(await portIsFree(port))) {
    throw new Error(
      `Port ${port} on 127.0.0.1 is held by another process, not by this data dir's Postgres (${dataDir}). ` +
        'Stop that process, or set PG_PORT to a free port (or DATABASE_URL to use your own server).',
    )
  }
}

/** Notes this process as the owner of the cluster in `dir` (read by the next start). */
export function writeOwner(dir: string): void {
  writePrivateFileSync(path.join(dir, 'owner.json'), JSON.stringify({ pid: process.pid }))
}

export function removeOwner(dir: string): void {
  rmSync(path.join(dir, 'owner.json'), { force: true })
}

function readOwner(dir: string): number | null {
  try {
    const pid = (JSON.parse(readFileSync(path.join(dir, 'owner.json'), 'utf8')) as { pid?: unknown }).pid
    return typeof pid === 'number' && Number.isInteger(pid) && pid > 0 ? pid : null
  } catch {
    return null
  }
}

export function isAlive(pid: number): boolean {
  // A zombie (ended, not yet reaped by its new parent) is gone for our purposes.
  const stat = readProc(pid, 'stat')
  if (stat !== undefined && stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists, under another user (the `postgres` user, when the server runs as root it can signal).
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function sameDir(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b)
  } catch {
    return path.resolve(a) === path.resolve(b)
  }
}

/** True when `pid` is a Postgres server of `dataDir` (checked in /proc where there is one). */
function isPostgresOf(pid: number, dataDir: string, pidFileDataDir: string | undefined): boolean {
  if (pidFileDataDir === undefined || !sameDir(pidFileDataDir, dataDir)) return false
  const cmdline = readProc(pid, 'cmdline')
  if (cmdline === undefined) return true // no /proc: the pid file's word, for a live process
  const args = cmdline.split('\0')
  const dashD = args.indexOf('-D')
  return /postgres/.test(path.basename(args[0] ?? '')) && dashD >= 0 && sameDir(args[dashD + 1] ?? '', dataDir)
}

function isNode(pid: number): boolean {
  const cmdline = readProc(pid, 'cmdline')
  return cmdline !== undefined && /node/.test(path.basename(cmdline.split('\0')[0] ?? ''))
}

function parentOf(pid: number): number | undefined {
  const stat = readProc(pid, 'stat')
  if (stat !== undefined) {
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ")".
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    return Number.isInteger(ppid) ? ppid : undefined
  }
  if (process.platform === 'win32') return undefined
  try {
    const ppid = Number(execFileSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8' }).trim())
    return Number.isInteger(ppid) && ppid > 0 ? ppid : undefined
  } catch {
    return undefined
  }
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8')
  } catch {
    return undefined
  }
}

/** Fast shutdown (SIGINT), then immediate (SIGQUIT), then SIGKILL; each given a while to end. */
async function stopProcess(pid: number): Promise<void> {
  for (const [signal, waitMs] of [
    ['SIGINT', 15_000],
    ['SIGQUIT', 5_000],
    ['SIGKILL', 5_000],
  ] as const) {
    try {
      process.kill(pid, signal)
    } catch {
      return // already gone
    }
    for (let waited = 0; waited < waitMs && isAlive(pid); waited += 100) await sleep(100)
    if (!isAlive(pid)) return
  }
  throw new Error(`Could not stop the orphaned embedded Postgres (pid ${pid}); stop it by hand.`)
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer()
    server.once('error', () => resolve(false))
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)))
  })
}
