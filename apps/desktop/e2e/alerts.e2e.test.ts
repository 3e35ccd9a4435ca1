import { spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureRendererBuilt } from './build-renderer.ts'
import { APP_DIR, assertChromium, launchChromium, SCREENSHOT_DIR, startConsole, type ConsoleProcess } from './harness.ts'

/**
 * The Alerts view (key 6) against a real server: the console signs in to a local-mode
 * server (its own embedded Postgres), the analyst saves alert settings, an invalid
 * phone number is named under its field, and the valid save reaches the server.
 */
let browser: Browser
let closeBrowser: () => Promise<void>
let consoleApp: ConsoleProcess
let server: { url: string; token: string; stop: () => Promise<void> }
let page: Page

describe('Alerts view in Chromium', () => {
  beforeAll(async () => {
    assertChromium()
    ensureRendererBuilt()
    mkdirSync(SCREENSHOT_DIR, { recursive: true })
    server = await startLocalServer()
    ;({ browser, close: closeBrowser } = await launchChromium())
    consoleApp = await startConsole()
    const signIn = await fetch(`${consoleApp.url}/api/session.signIn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ serverUrl: server.url, token: server.token }),
    })
    expect(((await signIn.json()) as { error?: unknown }).error).toBeUndefined()
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  })
  afterAll(async () => {
    await closeBrowser?.()
    await consoleApp?.stop()
    await server?.stop()
  })

  it('saves settings, naming an invalid phone number under its field', async () => {
    await page.goto(consoleApp.url)
    await page.getByRole('button', { name: /Alerts/ }).click()
    await expect.poll(() => page.getByTestId('alerts-view').count()).toBe(1)

    await page.getByLabel('Number (international, e.g. +919812345678)').fill('98123 abc')
    await page.getByLabel('SMS alerts').check()
    await page.getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => page.locator('.field-error').first().textContent()).toContain('E.164')
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'alerts-invalid-phone.png') })

    await page.getByLabel('Number (international, e.g. +919812345678)').fill('+91 98123 45678')
    await page.getByLabel('Time zone (IANA, e.g. Asia/Kolkata)').fill('Asia/Kolkata')
    await page.getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => page.getByTestId('alerts-saved').count()).toBe(1)
    expect(await page.locator('.field-error').count()).toBe(0)
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'alerts-saved.png') })

    const stored = await fetch(`${server.url}/trpc/notifications.settings`, { headers: { authorization: `Bearer ${server.token}` } })
    const body = (await stored.json()) as { result: { data: { phone: string; smsEnabled: boolean; timeZone: string } } }
    expect(body.result.data).toMatchObject({ phone: '+919812345678', smsEnabled: true, timeZone: 'Asia/Kolkata' })
  })
})

/** The real server CLI in local mode, on free ports, with a throwaway data dir. */
async function startLocalServer(): Promise<{ url: string; token: string; stop: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'anomalyze-alerts-server-'))
  // The embedded cluster may run as the `postgres` user (when tests run as root).
  chmodSync(dataDir, 0o755)
  const env: NodeJS.ProcessEnv = { ...process.env, ANOMALYZE_DATA_DIR: dataDir, PORT: '0', PG_PORT: String(await freePort()), LOG_LEVEL: 'warn' }
  delete env.DATABASE_URL
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(APP_DIR, '..', 'server', 'src', 'cli', 'start.ts'), '--no-seed'], {
    cwd: join(APP_DIR, '..', 'server'),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const sessionFile = join(dataDir, 'local-session.json')
  for (let i = 0; i < 480 && !existsSync(sessionFile); i += 1) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  if (!existsSync(sessionFile)) throw new Error(`server did not start in 120 s:\n${output}`)
  const session = JSON.parse(readFileSync(sessionFile, 'utf8')) as { serverUrl: string; token: string }
  return {
    url: session.serverUrl,
    token: session.token,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      }
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
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
