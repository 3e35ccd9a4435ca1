import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { csvRecords, type CsvRecord } from '@anomalyze/shared/node'
import type { CoreResult } from '../src/contract/result.ts'
import { ensureRendererBuilt } from './build-renderer.ts'
import { assertChromium, launchChromium, SCREENSHOT_DIR, startConsole, startServerProcess, type ConsoleProcess, type ServerProcess } from './harness.ts'

/**
 * The Reports view (key 5) against a real server (the server CLI in local mode with
 * its demo month, embedded Postgres, pg-boss, local object store): a reversed range is
 * refused under its field, an export of the CRITICAL anomalies runs to Ready in the
 * list, and its download link serves a CSV with exactly the server's CRITICAL rows.
 */
describe('Reports view in Chromium', () => {
  let browser: Browser
  let closeBrowser: () => Promise<void>
  let server: ServerProcess
  let consoleApp: ConsoleProcess
  let page: Page

  beforeAll(async () => {
    assertChromium()
    ensureRendererBuilt()
    mkdirSync(SCREENSHOT_DIR, { recursive: true })
    server = await startServerProcess({ seed: true })
    consoleApp = await startConsole()
    ;({ browser, close: closeBrowser } = await launchChromium())
    page = await consoleApp.newPage(browser, { viewport: { width: 1300, height: 900 } })
    const signIn = await page.request.post(`${consoleApp.url}/api/session.signIn`, { data: { serverUrl: server.url, token: server.token } })
    expect(((await signIn.json()) as CoreResult<unknown>).error).toBeUndefined()
  })
  afterAll(async () => {
    await closeBrowser?.()
    await consoleApp?.stop()
    await server?.stop()
  })

  it('refuses a reversed range under its field, then creates an export, lists it until ready and downloads it', async () => {
    await page.goto(consoleApp.url)
    await expect.poll(() => page.getByTestId('sync-state').textContent(), { timeout: 30_000 }).toMatch(/Online|Syncing/)
    await page.getByRole('button', { name: /Reports/ }).click()
    await expect.poll(() => page.getByTestId('reports-view').isVisible(), { timeout: 30_000 }).toBe(true)

    await page.getByLabel('From', { exact: true }).fill('2026-01-20')
    await page.getByLabel('To', { exact: true }).fill('2026-01-10')
    await page.getByRole('button', { name: 'Create report' }).click()
    await expect.poll(() => page.locator('.field-error').first().textContent()).toMatch(/"from" .* must be before "to"/)

    await page.getByLabel('From', { exact: true }).fill('')
    await page.getByLabel('To', { exact: true }).fill('')
    await page.getByRole('checkbox', { name: 'CRITICAL', exact: true }).check()
    await page.getByRole('button', { name: 'Create report' }).click()
    const row = page.getByTestId('report-row').first()
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 60_000 }).toBe('COMPLETED')
    const expected = await countCritical(server)
    expect(expected).toBeGreaterThan(0)
    expect(await row.locator('td.num').textContent()).toBe(expected.toLocaleString())
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'reports.png') })

    // The link is opened in a new window; record it instead (a download has no page to read).
    // (Page scripts as strings: this file is type-checked without the DOM library.)
    await page.evaluate('window.open = (url) => { document.body.dataset.opened = String(url); return null }')
    await row.getByRole('button', { name: 'Download' }).click()
    const opened = (): Promise<string> => page.evaluate<string>("document.body.dataset.opened ?? ''")
    await expect.poll(opened).not.toBe('')
    const link = await opened()
    expect(link).toMatch(/\/files\/users\/local_analyst\/reports\/.+\.csv\?expires=/)
    const response = await page.request.get(link)
    expect(response.status()).toBe(200)
    const records: CsvRecord[] = []
    for await (const batch of csvRecords([await response.body()])) records.push(...batch)
    const [header, ...rows] = records
    const severity = header?.values.indexOf('severity') ?? -1
    expect(rows.length).toBe(expected)
    expect(rows.every((r) => r.values[severity] === 'CRITICAL')).toBe(true)
  })
})

async function countCritical(server: ServerProcess): Promise<number> {
  let count = 0
  let cursor: string | null = null
  for (let page = 0; page < 1_000; page += 1) {
    const input = JSON.stringify({ severity: ['CRITICAL'], limit: 500, ...(cursor === null ? {} : { cursor }) })
    const response = await fetch(`${server.url}/trpc/anomalies.list?input=${encodeURIComponent(input)}`, {
      headers: { authorization: `Bearer ${server.token}` },
    })
    const body = (await response.json()) as { result: { data: { items: unknown[]; nextCursor: string | null } } }
    count += body.result.data.items.length
    cursor = body.result.data.nextCursor
    if (cursor === null) return count
  }
  throw new Error('more than 500,000 CRITICAL anomalies: not a test account')
}
