// A real server (src/cli/start.ts on its own embedded Postgres, in a temporary data
// directory) for benches, called over loopback the way a production client would.
import { spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'
import { findFreePort } from '../../src/net/find-free-port.ts'

export interface LoopbackServer {
  /** The local analyst's session token (local mode signs them in as the organisation's admin). */
  sessionToken: string
  /** postgresql:// URL of the server's database, for seeding and read-outs. */
  databaseUrl: string
  /** POST /trpc/<procedure> with a bearer token; rejects with the tRPC error on anything but 200. */
  call(procedure: string, token: string, input?: unknown): Promise<unknown>
  /** GET /trpc/<procedure> (a query) with a bearer token. */
  query(procedure: string, token: string, input?: unknown): Promise<unknown>
  stop(): Promise<void>
}

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

/** Starts the server with `--no-seed` and waits (up to `timeoutMs`) for it to answer and write its local session. */
export async function startLoopbackServer(name: string, timeoutMs = 120_000): Promise<LoopbackServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `anomalyze-bench-${name}-`))
  chmodSync(dataDir, 0o755)
  const [port, pgPort] = [await findFreePort(), await findFreePort()]
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/cli/start.ts', '--no-seed'], {
    cwd: serverDir,
    env: { ...process.env, ANOMALYZE_DATA_DIR: dataDir, PORT: String(port), PG_PORT: String(pgPort), LOG_LEVEL: 'warn', DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  // The client shares the cores with the server and Postgres: node:http with kept-alive
  // connections costs it less CPU per call than fetch (undici).
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
  const base = `http://127.0.0.1:${port}`
  const stop = async (): Promise<void> => {
    agent.destroy()
    if (server.exitCode === null) {
      server.kill('SIGTERM')
      await new Promise((resolve) => server.once('exit', resolve))
    }
    rmSync(dataDir, { recursive: true, force: true })
  }
  try {
    await waitUntilReady(server, base, dataDir, timeoutMs)
  } catch (error) {
    await stop()
    throw error
  }
  const { token } = JSON.parse(readFileSync(path.join(dataDir, 'local-session.json'), 'utf8')) as { token: string }
  const { password } = JSON.parse(readFileSync(path.join(dataDir, 'postgres', 'credentials.json'), 'utf8')) as { password: string }
  const request = (method: 'GET' | 'POST', procedure: string, token: string, input: unknown) => trpcRequest(agent, base, method, procedure, token, input)
  return {
    sessionToken: token,
    databaseUrl: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/anomalyze`,
    call: (procedure, bearer, input) => request('POST', procedure, bearer, input),
    query: (procedure, bearer, input) => request('GET', procedure, bearer, input),
    stop,
  }
}

function trpcRequest(agent: http.Agent, base: string, method: 'GET' | 'POST', procedure: string, token: string, input: unknown): Promise<unknown> {
  const payload = input === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(input))
  const target =
    method === 'GET' && input !== undefined ? `${base}/trpc/${procedure}?input=${encodeURIComponent(payload.toString())}` : `${base}/trpc/${procedure}`
  const headers: http.OutgoingHttpHeaders = { authorization: `Bearer ${token}` }
  if (method === 'POST') Object.assign(headers, { 'content-type': 'application/json', 'content-length': payload.length })
  return new Promise((resolve, reject) => {
    const request = http.request(target, { method, agent, headers }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('error', reject)
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let body: { result?: { data: unknown }; error?: unknown }
        try {
          body = JSON.parse(text) as typeof body
        } catch {
          reject(new Error(`${procedure}: HTTP ${response.statusCode}, not JSON: ${text.slice(0, 200)}`))
          return
        }
        if (response.statusCode !== 200 || !body.result) reject(new Error(`${procedure} failed (HTTP ${response.statusCode}): ${JSON.stringify(body.error)}`))
        else resolve(body.result.data)
      })
    })
    request.on('error', reject)
    request.end(method === 'POST' ? payload : undefined)
  })
}

async function waitUntilReady(server: ChildProcess, base: string, dataDir: string, timeoutMs: number): Promise<void> {
  // Drain stdout so the server never blocks on a full pipe.
  if (server.stdout) readline.createInterface({ input: server.stdout }).on('line', () => undefined)
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode} before it was ready`)
    const healthy = await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    )
    // The local session file is written once the workers run, just after /health answers.
    if (healthy && existsSync(path.join(dataDir, 'local-session.json'))) return
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new Error(`the server was not ready within ${timeoutMs / 1000} s`)
}
