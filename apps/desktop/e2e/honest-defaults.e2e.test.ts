import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureRendererBuilt } from './build-renderer.ts'
import {
  assertChromium,
  launchChromium,
  SCREENSHOT_DIR,
  serverCall,
  startConsole,
  startServerProcess,
  type ConsoleProcess,
  type ServerProcess,
} from './harness.ts'

/**
 * Honest defaults (issue #23) in Chromium against a real local-mode server with no
 * SMTP and no Twilio: the Reports form starts from the month the organisation's
 * transactions are in (not the calendar's), and saving alert settings with e-mail and
 * SMS on says at once that this server cannot deliver on them.
 */
let browser: Browser
let closeBrowser: () => Promise<void>
let server: ServerProcess
let consoleApp: ConsoleProcess
let page: Page

/** A month that is not the current one, so that a calendar default cannot pass. */
const DATA_MONTH = '2025-09'
const shot = (name: string) => page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) })

describe('honest defaults in Chromium', () => {
  beforeAll(async () => {
    assertChromium()
    ensureRendererBuilt()
    mkdirSync(SCREENSHOT_DIR, { recursive: true })
    // The point of (b) is a server without providers, whatever the shell running the tests has.
    for (const name of Object.keys(process.env)) if (name.startsWith('SMTP_') || name.startsWith('TWILIO_')) delete process.env[name]
    server = await startServerProcess({ seed: false })
    const at = Date.parse(`${DATA_MONTH}-14T10:00:00Z`)
    const transactions = [0, 1, 2, 3, 4].map((i) => ({
      txId: `honest-defaults-${i}`,
      timestamp: at + i * 3_600_000,
      amount: 120 + i * 35,
      accountId: `HD-ACC-${i % 2}`,
      merchantId: 'HD-MERCHANT',
    }))
    await serverCall(server.url, 'ingest.transactions', { transactions }, server.token)
    consoleApp = await startConsole()
    const signIn = await consoleApp.call('session.signIn', { serverUrl: server.url, token: server.token })
    expect(signIn.error).toBeUndefined()
    ;({ browser, close: closeBrowser } = await launchChromium())
    page = await consoleApp.newPage(browser, { viewport: { width: 1440, height: 900 } })
  })
  afterAll(async () => {
    await closeBrowser?.()
    await consoleApp?.stop()
    await server?.stop()
  })

  it("starts the Reports form from the data's month, not the current one", async () => {
    expect(new Date().toISOString().slice(0, 7)).not.toBe(DATA_MONTH)
    await page.goto(consoleApp.url)
    await page.getByRole('button', { name: /Reports/ }).click()
    await expect.poll(() => page.getByTestId('reports-view').isVisible(), { timeout: 30_000 }).toBe(true)

    // An anomaly export covers the data's month, first to last day.
    await expect.poll(() => page.getByLabel('From', { exact: true }).inputValue(), { timeout: 30_000 }).toBe(`${DATA_MONTH}-01`)
    expect(await page.getByLabel('To', { exact: true }).inputValue()).toBe(`${DATA_MONTH}-30`)
    await shot('honest-defaults-reports')

    // The monthly summary asks for that month too.
    await page.getByLabel('Report type').selectOption('MONTHLY_SUMMARY')
    await expect.poll(() => page.getByLabel('Month', { exact: true }).inputValue()).toBe(DATA_MONTH)
    await shot('honest-defaults-reports-monthly')
  })

  it('says at save time that e-mail and SMS are not configured on this server', async () => {
    await page.getByRole('button', { name: /Alerts/ }).click()
    await expect.poll(() => page.getByTestId('alerts-view').count()).toBe(1)
    await page.getByLabel('E-mail alerts').check()
    await page.getByLabel('Address').fill('analyst@example.com')
    await page.getByLabel('Number (international, e.g. +919812345678)').fill('+919812345678')
    await page.getByLabel('SMS alerts').check()
    await page.getByRole('button', { name: 'Save' }).click()

    const warnings = page.getByTestId('alerts-channel-warning')
    await expect.poll(() => warnings.count(), { timeout: 30_000 }).toBe(2)
    expect([await warnings.nth(0).getAttribute('data-channel'), await warnings.nth(1).getAttribute('data-channel')]).toEqual(['EMAIL', 'SMS'])
    expect(await page.locator('[data-testid="alerts-channel-warning"][data-channel="EMAIL"]').textContent()).toMatch(
      /^Saved, but e-mail is not configured on this server/,
    )
    expect(await page.locator('[data-testid="alerts-channel-warning"][data-channel="SMS"]').textContent()).toMatch(
      /^Saved, but SMS is not configured on this server/,
    )
    expect(await page.getByTestId('alerts-saved').count()).toBe(0)
    await shot('honest-defaults-alerts')

    // Saved all the same: the warning is not a refusal.
    const stored = await fetch(`${server.url}/trpc/notifications.settings`, { headers: { authorization: `Bearer ${server.token}` } })
    const body = (await stored.json()) as { result: { data: { emailEnabled: boolean; smsEnabled: boolean } } }
    expect(body.result.data).toMatchObject({ emailEnabled: true, smsEnabled: true })
  })
})
