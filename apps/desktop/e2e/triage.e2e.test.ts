import { mkdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { CoreResult } from '../src/contract/result.ts'
import { generatedCsv } from '../test/support/generated-csv.ts'
import { ensureRendererBuilt } from './build-renderer.ts'
import { assertChromium, launchChromium, SCREENSHOT_DIR, startConsole, type ConsoleProcess } from './harness.ts'

const FIXTURES = 2_000
let browser: Browser
let closeBrowser: () => Promise<void>
let consoleApp: ConsoleProcess
let page: Page

/** Reads the core's truth through the same HTTP API the page uses. */
async function api<T>(method: string, args: unknown): Promise<T> {
  const response = await page.request.post(`${consoleApp.url}/api/${method}`, { data: args, headers: { 'content-type': 'application/json' } })
  const body = (await response.json()) as CoreResult<T>
  if (body.error !== undefined) throw new Error(body.error.message)
  return body.data
}
const statusOf = async (id: string): Promise<string> => (await api<{ status: string }>('anomaly.get', { id })).status
const rowId = (index: number) => page.locator(`.queue-row[aria-rowindex="${index + 1}"]`).getAttribute('data-anomaly-id')
/** The queue's count line, as the page words it. */
const countText = (n: number) => `${n.toLocaleString('en-US')} ${n === 1 ? 'anomaly' : 'anomalies'}`
const detailId = () => page.getByTestId('detail-pane').getAttribute('data-anomaly-id')

describe('console in Chromium (browser mode)', () => {
  beforeAll(async () => {
    assertChromium()
    ensureRendererBuilt()
    mkdirSync(SCREENSHOT_DIR, { recursive: true })
    ;({ browser, close: closeBrowser } = await launchChromium())
  })
  afterAll(async () => {
    await closeBrowser?.()
  })

  describe('with a seeded cache', () => {
    beforeAll(async () => {
      consoleApp = await startConsole({ seedFixtures: FIXTURES })
    })
    afterAll(async () => {
      await consoleApp?.stop()
    })
    beforeEach(async () => {
      page = await consoleApp.newPage(browser, { viewport: { width: 1440, height: 900 } })
      await page.goto(consoleApp.url)
      await expect.poll(() => page.getByTestId('queue-count').textContent()).toMatch(/anomalies/)
      // Rows arrive after the count (a page of rows per query): wait for the screenful.
      await expect.poll(() => rowId(15)).toMatch(/\S/)
    })

    it('triages with the keyboard: move, open, label, next shown, undo, help, search', async () => {
      await page.keyboard.press('Enter')
      expect(await detailId()).toBe(await rowId(0))
      await page.keyboard.press('j')
      const second = await rowId(1)
      expect(await detailId()).toBe(second)
      await page.keyboard.press('f')
      // The next item is on screen right away; the decided one leaves the Open view.
      await expect.poll(async () => (await detailId()) === (await rowId(1))).toBe(true)
      await expect.poll(() => page.locator(`.queue-row[data-anomaly-id="${second}"]`).count()).toBe(0)
      await expect.poll(() => statusOf(second ?? '')).toBe('CONFIRMED_FRAUD')
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'triage-detail.png') })

      const third = await rowId(1)
      await page.keyboard.press('p')
      await expect.poll(() => statusOf(third ?? '')).toBe('FALSE_POSITIVE')
      await expect.poll(() => page.locator(`.queue-row[data-anomaly-id="${third}"]`).count()).toBe(0)
      const fourth = await rowId(1)
      await page.keyboard.press('n')
      // Typing before the note has focus would send the letters as shortcuts.
      await expect.poll(() => page.locator('textarea[aria-label="Note"]:focus').count()).toBe(1)
      await page.keyboard.type('ask the merchant')
      await page.keyboard.press('Escape')
      await page.keyboard.press('e')
      await expect.poll(() => statusOf(fourth ?? '')).toBe('NEEDS_REVIEW')
      expect(await api<{ latestDecision: { note: string } }>('anomaly.get', { id: fourth })).toMatchObject({ latestDecision: { note: 'ask the merchant' } })
      await expect.poll(() => page.getByTestId('pending-count').textContent()).toBe('3 pending changes')

      await page.keyboard.press('u')
      await expect.poll(() => statusOf(fourth ?? '')).toBe('OPEN')
      expect(await statusOf(third ?? '')).toBe('FALSE_POSITIVE')
      await expect.poll(() => page.getByTestId('pending-count').textContent()).toBe('2 pending changes')

      await page.keyboard.press('?')
      await expect.poll(() => page.getByRole('dialog', { name: 'Keyboard shortcuts' }).isVisible()).toBe(true)
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'shortcuts.png') })
      await page.keyboard.press('Escape')
      await expect.poll(() => page.getByRole('dialog').count()).toBe(0)

      await page.keyboard.press('/')
      await page.keyboard.type('C00007')
      await expect.poll(() => page.locator('.queue-row[aria-rowindex="1"]').textContent()).toContain('C00007')
      const count = await api<{ total: number }>('queue.snapshot', { filters: { text: 'C00007', statuses: ['OPEN', 'NEEDS_REVIEW'] }, sort: 'severity' })
      await expect.poll(() => page.getByTestId('queue-count').textContent()).toBe(countText(count.total))
      await page.close()
    })

    it('bulk-selects with x and space, labels the selection, and undoes it as one action', async () => {
      const ids = [await rowId(10), await rowId(11), await rowId(12)]
      await page.locator('.queue-row[aria-rowindex="11"]').click()
      await page.keyboard.press('x')
      await page.keyboard.press('j')
      await page.keyboard.press('x')
      await page.keyboard.press('ArrowDown')
      await page.keyboard.press(' ')
      await expect.poll(() => page.getByTestId('selection-count').textContent()).toMatch(/^3 selected/)
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'bulk-selection.png') })
      await page.keyboard.press('p')
      for (const id of ids) await expect.poll(() => statusOf(id ?? '')).toBe('FALSE_POSITIVE')
      expect(await page.getByTestId('selection-count').count()).toBe(0)
      await page.keyboard.press('u')
      for (const id of ids) await expect.poll(() => statusOf(id ?? '')).toBe('OPEN')
      await page.close()
    })

    it('shows the overview dashboard with the cache totals and charts', async () => {
      await page.keyboard.press('2')
      await expect.poll(() => page.getByTestId('kpi-total').textContent()).toBe(FIXTURES.toLocaleString('en-US'))
      // Charts drawn with axes: bars for the severities, the score deciles and the days.
      await expect.poll(() => page.getByTestId('chart-severity').locator('.recharts-bar-rectangle').count()).toBeGreaterThan(0)
      await expect.poll(() => page.getByTestId('chart-score').locator('.recharts-cartesian-axis-tick').count()).toBeGreaterThan(0)
      await expect.poll(() => page.getByTestId('chart-alerts-per-day').locator('.recharts-bar-rectangle').count()).toBeGreaterThan(0)
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard.png') })
      await page.close()
    })

    it('scores a dropped-in CSV on the device: bad row listed by line, alerts triaged as a local batch, every row exported', async () => {
      // 40 rows from the shared generator; data row 7 (file line 8) gets a non-numeric amount.
      const generated = generatedCsv({ rows: 40, badAt: [7], seed: 5 })
      const { badLines } = generated
      // One more row: the last one again (same account, same minute), so RAPID_REPEAT
      // fires and the file has at least one alert for the queue.
      const last = generated.text.trimEnd().split('\n').at(-1)?.split(',') ?? []
      const text = `${generated.text}${['TX-REPEAT', ...last.slice(1)].join(',')}\n`
      await page.keyboard.press('3')
      await expect.poll(() => page.getByTestId('scoring-view').isVisible()).toBe(true)
      await page.getByLabel('CSV file').setInputFiles({ name: 'branch-export.csv', mimeType: 'text/csv', buffer: Buffer.from(text) })
      // The handbook's column names are recognised by the shared auto-detection.
      await expect.poll(() => page.getByTestId('mapping-step').isVisible()).toBe(true)
      expect(await page.getByLabel('Column for amount').inputValue()).toBe('4')
      expect(await page.getByLabel('Column for Account / customer').inputValue()).toBe('2')
      // Not signed in: uploading to a server is offered but off; nothing leaves the machine.
      expect(await page.getByRole('button', { name: 'Upload as batch job' }).isDisabled()).toBe(true)
      await page.getByRole('button', { name: 'Score on this machine' }).click()
      await expect.poll(() => page.getByTestId('job-progress').getAttribute('data-state'), { timeout: 60_000 }).toBe('done')
      const badRows = page.getByTestId('bad-row')
      await expect.poll(() => badRows.count()).toBe(1)
      expect(await badRows.first().locator('td').first().textContent()).toBe(String(badLines[0]))
      expect(await badRows.first().textContent()).toContain('twelve')
      expect(await page.getByTestId('job-progress').textContent()).toContain('40 rows scored')
      // The queue gets the alerts only (as on the server); the export has every row.
      const alerts = Number(await page.getByTestId('alert-count').textContent())
      expect(alerts).toBeGreaterThan(0)
      expect(alerts).toBeLessThan(40)
      const exported = await page.request.get(
        new URL((await page.getByTestId('job-progress').getByRole('link', { name: 'Export scored CSV' }).getAttribute('href')) ?? '', consoleApp.url).href,
      )
      const exportedLines = (await exported.text()).trimEnd().split('\n')
      expect(exportedLines).toHaveLength(41)
      expect(exportedLines.filter((l) => l.startsWith(`${badLines[0]},`))).toHaveLength(0)
      expect(exportedLines.at(-1)).toMatch(/^42,TX-REPEAT,.*RAPID_REPEAT/)
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'scoring-done.png') })
      await page.getByRole('button', { name: new RegExp(`Triage ${alerts} alerts? in the queue`) }).click()
      await expect.poll(() => page.getByTestId('queue-count').textContent()).toBe(countText(alerts))
      expect(await page.getByLabel('Source').locator('option:checked').textContent()).toContain('branch-export.csv')
      const firstId = await rowId(0)
      expect(firstId).toMatch(/^local_/)
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'scoring-queue.png') })
      // Back to the server queue: the file's rows are not mixed into it.
      await page.getByLabel('Source').selectOption('')
      await expect.poll(() => page.getByTestId('queue-count').textContent()).not.toBe(countText(alerts))
      await page.close()
    })
  })

  describe('first run', () => {
    beforeAll(async () => {
      consoleApp = await startConsole()
    })
    afterAll(async () => {
      await consoleApp?.stop()
    })

    it('answers only the browser that opened the launch link, which works once', async () => {
      // The launch link is also in an owner-only file in the data dir.
      const launchFile = join(consoleApp.dataDir, 'console-launch.json')
      expect((JSON.parse(readFileSync(launchFile, 'utf8')) as { launchUrl: string }).launchUrl).toBe(consoleApp.launchUrl)
      expect(statSync(launchFile).mode & 0o777).toBe(0o600)
      const stranger = await browser.newPage()
      await stranger.goto(consoleApp.url)
      await expect.poll(() => stranger.locator('h1').textContent()).toBe('Open the launch link printed in the terminal')
      expect((await stranger.request.post(`${consoleApp.url}/api/sync.status`, { data: {}, headers: { 'content-type': 'application/json' } })).status()).toBe(
        401,
      )
      page = await consoleApp.newPage(browser, { viewport: { width: 1200, height: 800 } })
      await expect.poll(() => page.getByRole('form', { name: 'Sign in' }).isVisible()).toBe(true)
      // The link was used: another browser opening it is told to restart the console.
      await stranger.goto(consoleApp.launchUrl)
      expect(await stranger.textContent('body')).toContain('Restart the console')
      expect(await stranger.context().cookies()).toEqual([])
      await stranger.close()
      await page.close()
    })

    it('asks to sign in, and says so plainly when the server cannot be reached', async () => {
      page = await consoleApp.newPage(browser, { viewport: { width: 1200, height: 800 } })
      await page.goto(consoleApp.url)
      await expect.poll(() => page.getByRole('form', { name: 'Sign in' }).isVisible()).toBe(true)
      expect(await page.getByTestId('sync-state').textContent()).toContain('Not signed in')
      // Port 9 (discard) on loopback: nothing listens, the connection is refused.
      await page.getByLabel('Server URL').fill('http://127.0.0.1:9')
      await page.getByLabel('Token').fill('token')
      await page.getByRole('button', { name: 'Sign in and sync' }).click()
      await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/unreachable/i)
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'first-run.png') })
      await page.close()
    })
  })
})
