import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeGeneratedCsv } from '../test/support/generated-csv.ts'
import { ensureRendererBuilt } from './build-renderer.ts'
import {
  assertChromium,
  launchChromium,
  SCREENSHOT_DIR,
  startConsole,
  startServerProcess,
  type ConsoleProcess,
  type ServerProcess,
  coreResult,
} from './harness.ts'

/**
 * Two ways into and out of the console, in Chromium against `console --web`:
 * an alert link (`#/anomalies/<id>`, the browser form of anomalyze://anomaly/<id>)
 * opens the queue with that anomaly in the detail pane, or says it is not cached;
 * "Upload as batch job" sends the opened CSV to a real server after a confirm step,
 * and the job shows in the server's list with its bad row counted.
 */
let browser: Browser
let closeBrowser: () => Promise<void>
let consoleApp: ConsoleProcess
let server: ServerProcess
let page: Page
let scratch: string

const core = <T>(method: string, args: unknown): Promise<T> => coreResult<T>(consoleApp, method, args)

describe('deep links and batch upload in Chromium', () => {
  beforeAll(async () => {
    assertChromium()
    ensureRendererBuilt()
    mkdirSync(SCREENSHOT_DIR, { recursive: true })
    scratch = mkdtempSync(join(tmpdir(), 'anomalyze-e2e-upload-'))
    server = await startServerProcess({ seed: false })
    ;({ browser, close: closeBrowser } = await launchChromium())
    consoleApp = await startConsole({ seedFixtures: 500 })
    page = await consoleApp.newPage(browser, { viewport: { width: 1280, height: 900 } })
  })
  afterAll(async () => {
    await closeBrowser?.()
    await consoleApp?.stop()
    await server?.stop()
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true })
  })

  it("opens the linked anomaly in the queue's detail pane, and says so when it is not cached", async () => {
    // An anomaly far down the default list, so the link has to move the cursor there.
    const snapshot = await core<{ keys: number[] }>('queue.snapshot', { filters: {}, sort: 'time' })
    const [row] = await core<Array<{ id: string; accountId: string }>>('queue.rows', { keys: [snapshot.keys[snapshot.keys.length - 1]] })
    if (row === undefined) throw new Error('no fixture row')

    await page.goto(`${consoleApp.url}/#/anomalies/${row.id}`)
    await expect.poll(() => page.getByTestId('detail-pane').getAttribute('data-anomaly-id')).toBe(row.id)
    expect(await page.locator('.queue-row.is-cursor').count()).toBe(1)
    // The address is cleared, so the same link can be opened again.
    expect(new URL(page.url()).hash).toBe('')
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'deep-link-opened.png') })

    // A link opened while the console is already showing: a hash change, not a load.
    await page.evaluate("window.location.hash = '#/anomalies/not-in-this-cache'")
    await expect.poll(() => page.getByTestId('deep-link-message').textContent()).toContain("not-in-this-cache is not in this console's cache")
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'deep-link-not-cached.png') })
  })

  it('uploads the opened CSV as a batch job only after the analyst confirms, and lists the job', async () => {
    const csv = join(scratch, 'week-12.csv')
    writeGeneratedCsv(csv, { rows: 300, seed: 9, badAt: [5] })
    const size = statSync(csv).size

    // Signed out: the button is there but off.
    await page.goto(consoleApp.url)
    await page.getByRole('button', { name: /Score a file/ }).click()
    await page.getByLabel('CSV file').setInputFiles(csv)
    await expect.poll(() => page.getByTestId('mapping-step').count()).toBe(1)
    expect(await page.getByRole('button', { name: 'Upload as batch job' }).isDisabled()).toBe(true)

    await core('session.signIn', { serverUrl: server.url, token: server.token })
    await expect.poll(() => page.getByRole('button', { name: 'Upload as batch job' }).isEnabled(), { timeout: 15_000 }).toBe(true)
    await page.getByRole('button', { name: 'Upload as batch job' }).click()
    const confirm = page.getByTestId('upload-confirm')
    const text = (await confirm.textContent()) ?? ''
    expect(text).toContain('week-12.csv')
    expect(text).toContain(`(${(size / 1024).toFixed(1)} kB)`)
    expect(text).toContain(server.url)
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'upload-confirm.png') })
    // Nothing has been sent while the analyst is asked.
    const before = await fetch(`${server.url}/trpc/batchJobs.list`, { headers: { authorization: `Bearer ${server.token}` } })
    expect(((await before.json()) as { result: { data: unknown[] } }).result.data).toEqual([])

    await page.getByRole('button', { name: 'Send to the server' }).click()
    await expect.poll(() => page.getByTestId('upload-done').textContent()).toContain('300 rows')
    const job = page.getByTestId('server-batch-job').first()
    await expect.poll(() => job.getAttribute('data-status'), { timeout: 60_000 }).toBe('COMPLETED')
    expect(await job.textContent()).toContain('299 new, 0 duplicate, 1 rejected')
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'upload-done.png') })
  })
})
