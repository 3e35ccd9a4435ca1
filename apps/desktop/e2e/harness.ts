import { spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser } from 'playwright-core'

/**
 * Shared set-up for browser tests and the bench: Debian's Chromium driven by
 * playwright-core, and the console's `--web` mode on a free loopback port with a
 * throwaway cache.
 */
export const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..')
export const SCREENSHOT_DIR = join(APP_DIR, 'screenshots')
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export function assertChromium(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. Browser tests drive Debian's Chromium: ` +
        'install it with "apt-get update && apt-get install -y chromium" (or set CHROMIUM_PATH).',
    )
  }
}

export function assertRendererBuilt(): void {
  if (!existsSync(join(APP_DIR, 'out', 'renderer', 'index.html'))) {
    throw new Error('The renderer is not built: run "pnpm --filter @anomalyze/desktop build" before the browser tests.')
  }
}

export async function launchChromium(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  assertChromium()
  // launch() always starts from a fresh temporary profile (Playwright refuses an
  // explicit --user-data-dir here), which is what the tests want.
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  })
  return {
    browser,
    close: () => browser.close(),
  }
}

export interface ConsoleProcess {
  url: string
  dataDir: string
  stop: () => Promise<void>
}

/** Starts `console --web` (the real CLI) and waits for the line with its URL. */
export async function startConsole(options: { seedFixtures?: number; dataDir?: string } = {}): Promise<ConsoleProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'anomalyze-console-'))
  mkdirSync(dataDir, { recursive: true })
  const args = ['--import', 'tsx', join(APP_DIR, 'src/core/cli.ts'), '--web', '--port', '0', '--data-dir', dataDir]
  if (options.seedFixtures !== undefined) args.push('--seed-fixtures', String(options.seedFixtures))
  const child: ChildProcess = spawn(process.execPath, args, { cwd: APP_DIR, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`console --web did not start in 120 s:\n${output}`)), 120_000)
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      const match = /Anomalyze console at (http:\/\/\S+)/.exec(output)
      if (match?.[1] !== undefined) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`console --web exited with ${String(code)}:\n${output}`))
    })
  })
  return {
    url,
    dataDir,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      }
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export interface ServerProcess {
  url: string
  token: string
  stop: () => Promise<void>
}

/**
 * The real server CLI in local mode, on free ports, with its own embedded Postgres in a
 * throwaway data dir. `seed: true` waits until the demo account's data is in (up to
 * 240 s); otherwise ready once the local session file is written.
 */
export async function startServerProcess(options: { seed: boolean }): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'anomalyze-e2e-server-'))
  // The embedded cluster may run as the `postgres` user (when tests run as root).
  chmodSync(dataDir, 0o755)
  const env: NodeJS.ProcessEnv = { ...process.env, ANOMALYZE_DATA_DIR: dataDir, PORT: '0', PG_PORT: String(await freePort()), LOG_LEVEL: 'info', JOB_POLL_SECONDS: '0.5' }
  delete env.DATABASE_URL
  const args = ['--import', 'tsx', join(APP_DIR, '..', 'server', 'src', 'cli', 'start.ts'), ...(options.seed ? [] : ['--no-seed'])]
  const child: ChildProcess = spawn(process.execPath, args, { cwd: join(APP_DIR, '..', 'server'), env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
    rmSync(dataDir, { recursive: true, force: true })
  }
  const sessionFile = join(dataDir, 'local-session.json')
  const ready = (): boolean => (options.seed ? output.includes('demo account seeded') : existsSync(sessionFile))
  for (let i = 0; i < 960 && !ready(); i += 1) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  if (!ready()) {
    await stop()
    throw new Error(`server was not ready in 240 s:\n${output}`)
  }
  const session = JSON.parse(readFileSync(sessionFile, 'utf8')) as { serverUrl: string; token: string }
  return { url: session.serverUrl, token: session.token, stop }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}
