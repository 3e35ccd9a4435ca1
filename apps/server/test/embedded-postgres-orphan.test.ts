import { spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { pino } from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { startEmbeddedPostgres } from '../src/db/embedded-postgres.ts'
import { findFreePort } from '../src/net/find-free-port.ts'

/** A logger whose lines the test reads. */
function capturingLogger() {
  const lines: string[] = []
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) })
  return { log, text: () => lines.join('') }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z')
  } catch {
    return false
  }
}

async function selectOne(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one
  } finally {
    await client.end()
  }
}

/** Starts a cluster from a child process that is then SIGKILLed, as `kill -9` of the server. */
async function startAndKill(dir: string, port: number, watchdog: 'watchdog' | 'no-watchdog'): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, 'helpers', 'orphan-postgres-child.ts'), dir, String(port), watchdog],
    {
      cwd: path.join(import.meta.dirname, '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the child did not start its cluster within 90 s')), 90_000)
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once('exit', (code) => reject(new Error(`the child exited (${code}) before its cluster was ready`)))
  })
  child.kill('SIGKILL')
  await new Promise((resolve) => child.once('exit', resolve))
}

describe.skipIf(process.platform === 'win32')('a start after the server was killed (orphaned embedded Postgres)', () => {
  const dirs: string[] = []
  const newDir = (): string => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'anomalyze-orphan-pg-'))
    chmodSync(dir, 0o755) // the cluster runs as the `postgres` user when tests run as root
    dirs.push(dir)
    return dir
  }
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })

  it('stops the cluster a SIGKILLed server left running, says so, and starts on the same dir and port', { timeout: 120_000 }, async () => {
    const dir = newDir()
    const port = await findFreePort()
    await startAndKill(dir, port, 'no-watchdog')
    const orphanPid = Number(readFileSync(path.join(dir, 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[0])
    expect(isAlive(orphanPid)).toBe(true) // the orphan: still running, holding the port

    const { log, text } = capturingLogger()
    const postgres = await startEmbeddedPostgres({ dir, port, log })
    try {
      expect(text()).toMatch(new RegExp(`stopped an orphaned cluster \\(pid ${orphanPid}\\)`))
      expect(isAlive(orphanPid)).toBe(false)
      expect(await selectOne(postgres.adminUrl)).toBe(1)
    } finally {
      await postgres.stop()
    }
    expect(existsSync(path.join(dir, 'owner.json'))).toBe(false)
  })

  it('with the watchdog on, the cluster stops by itself within seconds of its server being killed', { timeout: 120_000 }, async () => {
    const dir = newDir()
    const port = await findFreePort()
    await startAndKill(dir, port, 'watchdog')
    const pidFile = path.join(dir, 'pgdata', 'postmaster.pid')
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0])
    for (let i = 0; i < 100 && isAlive(pid); i += 1) await new Promise((resolve) => setTimeout(resolve, 100))
    expect(isAlive(pid)).toBe(false)
    expect(existsSync(pidFile)).toBe(false) // a clean (fast) shutdown
  })

  it('removes a stale postmaster.pid, and names the port and PG_PORT when something else holds the port', { timeout: 120_000 }, async () => {
    const dir = newDir()
    const port = await findFreePort()
    const first = await startEmbeddedPostgres({ dir, port })
    await first.stop()
    // A pid file left by a Postgres that is gone (a dead pid).
    const dead = spawn(process.execPath, ['-e', '0'])
    await new Promise((resolve) => dead.once('exit', resolve))
    const pidFile = path.join(dir, 'pgdata', 'postmaster.pid')
    writeFileSync(pidFile, `${dead.pid}\n${path.join(dir, 'pgdata')}\n0\n${port}\n`)
    const { log, text } = capturingLogger()
    const second = await startEmbeddedPostgres({ dir, port, log })
    expect(text()).toMatch(/removed a stale postmaster\.pid/)
    await second.stop()

    const squatter = net.createServer()
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve))
    try {
      await expect(startEmbeddedPostgres({ dir, port })).rejects.toThrow(new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is held by another process.*PG_PORT`))
    } finally {
      await new Promise((resolve) => squatter.close(resolve))
    }
  })
})
