import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApp, type RunningApp } from '../../server/src/app/start-app.ts'
import { LOCAL_USER_ID } from '../../server/src/auth/local-authenticator.ts'
import { loadEnv } from '../../server/src/env.ts'
import { findFreePort } from '../../server/src/net/find-free-port.ts'
import { testLogger } from '../../server/test/helpers/silent-logger.ts'
import { insertGeneratedAnomalies } from '../../server/test/reports-fixtures.ts'
import type { CoreResult } from '../src/contract/result.ts'
import { ensureRendererBuilt } from './build-renderer.ts'
import { assertChromium, launchChromium, SCREENSHOT_DIR, startConsole, type ConsoleProcess } from './harness.ts'

/**
 * The Reports view against a real server (embedded Postgres, pg-boss, local object
 * store): a bad range is refused under its field, an export is created, runs to
 * Ready in the list, and its download link serves the CSV.
 */
describe('Reports view in Chromium', () => {
  let browser: Browser
  let closeBrowser: () => Promise<void>
  let server: RunningApp
  let consoleApp: ConsoleProcess
  let page: Page
  let dataDir: string

  beforeAll(async () => {
    assertChromium()
    ensureRendererBuilt()
    mkdirSync(SCREENSHOT_DIR, { recursive: true })
    dataDir = mkdtempSync(join(tmpdir(), 'anomalyze-reports-e2e-'))
    chmodSync(dataDir, 0o755)
    server = await startApp(
      loadEnv({ ANOMALYZE_DATA_DIR: dataDir, PORT: '0', PG_PORT: String(await findFreePort()), JOB_POLL_SECONDS: '0.5', DATABASE_URL: '' }),
      testLogger,
    )
    await insertGeneratedAnomalies(server.db, LOCAL_USER_ID, 2_000)
    consoleApp = await startConsole()
    ;({ browser, close: closeBrowser } = await launchChromium())
    page = await browser.newPage({ viewport: { width: 1300, height: 900 } })
    const signIn = await page.request.post(`${consoleApp.url}/api/session.signIn`, { data: { serverUrl: server.url, token: server.localToken } })
    expect(((await signIn.json()) as CoreResult<unknown>).error).toBeUndefined()
  })
  afterAll(async () => {
    await closeBrowser?.()
    await consoleApp?.stop()
    await server?.stop()
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true })
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

    await page.getByLabel('To', { exact: true }).fill('2026-01-20')
    await page.getByRole('checkbox', { name: 'CRITICAL', exact: true }).check()
    await page.getByRole('button', { name: 'Create report' }).click()
    const row = page.getByTestId('report-row').first()
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 60_000 }).toBe('COMPLETED')
    const expected = await server.db.anomaly.count({
      where: { userId: LOCAL_USER_ID, severity: 'CRITICAL', transaction: { timestamp: { gte: new Date('2026-01-20T00:00:00Z'), lt: new Date('2026-01-21T00:00:00Z') } } },
    })
    expect(await row.locator('td.num').textContent()).toBe(expected.toLocaleString())
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'reports.png') })

    // The link is opened in a new window; record it instead (a download has no page to read).
    // (Page scripts as strings: this file is type-checked without the DOM library.)
    await page.evaluate("window.open = (url) => { document.body.dataset.opened = String(url); return null }")
    await row.getByRole('button', { name: 'Download' }).click()
    const opened = (): Promise<string> => page.evaluate<string>("document.body.dataset.opened ?? ''")
    await expect.poll(opened).not.toBe('')
    const link = await opened()
    expect(link).toMatch(/\/files\/users\/local_analyst\/reports\/.+\.csv\?expires=/)
    const response = await page.request.get(link)
    expect(response.status()).toBe(200)
    const lines = (await response.text()).trim().split('\n').filter((l) => /^[0-9a-f-]{36},/.test(l))
    expect(lines.length).toBe(expected)
  })
})
