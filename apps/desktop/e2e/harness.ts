import { spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { connect, createServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core'

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
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  })
  return {
    browser,
    close: () => browser.close(),
  }
}

export interface ConsoleProcess {
  url: string
  /** The one-time launch link the console printed (`<url>/launch?key=…`). */
  launchUrl: string
  dataDir: string
  /**
   * A new page signed in to the console: the first one opens the launch link (the real
   * flow: key -> cookie -> redirect to the app), later ones get the same session cookie,
   * since the link works once. The page is on the console's start page when this resolves.
   */
  newPage: (browser: Browser, options?: BrowserContextOptions) => Promise<Page>
  /** Gives a page's browser context the session cookie, without navigating (bench: init scripts first). */
  authorize: (page: Page) => Promise<void>
  /** `cookie` header value for Node-side calls of the local API (exchanges the key if no page did). */
  cookie: () => Promise<string>
  /** POST /api/<method> from Node with the session cookie; the parsed `{data}|{error}`. */
  call: <T = unknown>(method: string, args: unknown) => Promise<{ data?: T; error?: { code: string; message: string } }>
  stop: () => Promise<void>
}

const SESSION_COOKIE = 'anomalyze_console'

/** Starts `console --web` (the real CLI) and waits for the lines with its URL and launch link. */
export async function startConsole(options: { seedFixtures?: number; dataDir?: string } = {}): Promise<ConsoleProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'anomalyze-console-'))
  mkdirSync(dataDir, { recursive: true })
  const args = ['--import', 'tsx', join(APP_DIR, 'src/browser-shell/cli.ts'), '--web', '--port', '0', '--data-dir', dataDir]
  if (options.seedFixtures !== undefined) args.push('--seed-fixtures', String(options.seedFixtures))
  const child: ChildProcess = spawn(process.execPath, args, { cwd: APP_DIR, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const { url, launchUrl } = await new Promise<{ url: string; launchUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`console --web did not start in 120 s:\n${output}`)), 120_000)
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      const match = /Anomalyze console at (http:\/\/\S+)/.exec(output)
      const launch = /Open the console[^:]*: (http:\/\/\S+\/launch\?key=\S+)/.exec(output)
      if (match?.[1] !== undefined && launch?.[1] !== undefined) {
        clearTimeout(timer)
        resolve({ url: match[1], launchUrl: launch[1] })
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`console --web exited with ${String(code)}:\n${output}`))
    })
  })
  let session: string | null = null
  const cookie = async (): Promise<string> => {
    if (session === null) {
      const response = await fetch(launchUrl, { redirect: 'manual' })
      const value = new RegExp(`^${SESSION_COOKIE}=([^;]+)`).exec(response.headers.get('set-cookie') ?? '')?.[1]
      if (response.status !== 303 || value === undefined) throw new Error(`the launch link answered ${response.status} without a session cookie`)
      session = value
    }
    return `${SESSION_COOKIE}=${session}`
  }
  const newPage = async (browser: Browser, options: BrowserContextOptions = {}): Promise<Page> => {
    const page = await browser.newPage(options)
    if (session === null) {
      const response = await page.goto(launchUrl)
      if (new URL(page.url()).pathname !== '/') throw new Error(`the launch link led to ${page.url()} (HTTP ${response?.status()})`)
      session = (await page.context().cookies(url)).find((c) => c.name === SESSION_COOKIE)?.value ?? null
      if (session === null) throw new Error('the launch link set no session cookie')
    } else {
      await authorize(page)
      await page.goto(url)
    }
    return page
  }
  const authorize = async (page: Page): Promise<void> => {
    const value = (await cookie()).slice(SESSION_COOKIE.length + 1)
    await page.context().addCookies([{ name: SESSION_COOKIE, value, url, httpOnly: true, sameSite: 'Strict' }])
  }
  const call = async <T>(method: string, args: unknown): Promise<{ data?: T; error?: { code: string; message: string } }> => {
    const response = await fetch(`${url}/api/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: await cookie() },
      body: JSON.stringify(args),
    })
    return (await response.json()) as { data?: T; error?: { code: string; message: string } }
  }
  return {
    url,
    launchUrl,
    dataDir,
    newPage,
    authorize,
    cookie,
    call,
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
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ANOMALYZE_DATA_DIR: dataDir,
    PORT: '0',
    PG_PORT: String(await freePort()),
    LOG_LEVEL: 'info',
    JOB_POLL_SECONDS: '0.5',
  }
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

/**
 * Scores a CSV on this machine from the open "Score a file" view, as an analyst does:
 * picks the file, takes the proposed column mapping, and waits until the job is done.
 */
export async function scoreFileOnDevice(page: Page, file: { name: string; text: string }): Promise<void> {
  await page.getByLabel('CSV file').setInputFiles({ name: file.name, mimeType: 'text/csv', buffer: Buffer.from(file.text) })
  await page.getByTestId('mapping-step').waitFor()
  await page.getByRole('button', { name: 'Score on this machine' }).click()
  await page.locator('[data-testid="job-progress"][data-state="done"]').waitFor({ timeout: 60_000 })
}

/** A core method's result through the console's local API; its error thrown with its message. */
export async function coreResult<T>(consoleApp: ConsoleProcess, method: string, args: unknown): Promise<T> {
  const body = await consoleApp.call<T>(method, args)
  if (body.error !== undefined) throw new Error(body.error.message)
  return body.data as T
}

/** A tRPC procedure of the real server called with a bearer token (a teammate's, say); its data, or its error thrown. */
export async function serverCall<T>(serverUrl: string, path: string, input: unknown, token: string, method: 'GET' | 'POST' = 'POST'): Promise<T> {
  const url = method === 'GET' ? `${serverUrl}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}` : `${serverUrl}/trpc/${path}`
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
    ...(method === 'POST' ? { body: JSON.stringify(input) } : {}),
  })
  const body = (await response.json()) as { result?: { data: T }; error?: unknown }
  if (body.result === undefined) throw new Error(`${path} failed: ${JSON.stringify(body.error)}`)
  return body.result.data
}

export interface SwitchableProxy {
  /** The URL to give a console instead of the server's. */
  url: string
  /** Offline: open connections are cut and new ones closed at once, as when the network drops. */
  setOnline: (online: boolean) => void
  stop: () => Promise<void>
}

/**
 * A loopback TCP proxy in front of a server, which a test can switch off: one console
 * talks to the server through it and loses it on demand, while other consoles (and the
 * test) keep talking to the server directly.
 */
export async function startSwitchableProxy(targetUrl: string): Promise<SwitchableProxy> {
  const target = new URL(targetUrl)
  const sockets = new Set<Socket>()
  let online = true
  const proxy = createServer((client) => {
    if (!online) {
      client.destroy()
      return
    }
    const upstream = connect(Number(target.port), target.hostname)
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.once('close', () => sockets.delete(s))
      s.on('error', () => s.destroy())
    }
    client.pipe(upstream).pipe(client)
    client.once('close', () => upstream.destroy())
    upstream.once('close', () => client.destroy())
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  const address = proxy.address()
  if (typeof address !== 'object' || address === null) throw new Error('the proxy has no port')
  return {
    url: `${target.protocol}//127.0.0.1:${address.port}${target.pathname === '/' ? '' : target.pathname}`,
    setOnline: (value) => {
      online = value
      if (!value) for (const s of sockets) s.destroy()
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        proxy.close(() => resolve())
      }),
  }
}
