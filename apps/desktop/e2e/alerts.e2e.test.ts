import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureRendererBuilt } from './build-renderer.ts'
import { assertChromium, launchChromium, SCREENSHOT_DIR, startConsole, startServerProcess, type ConsoleProcess, type ServerProcess } from './harness.ts'

/**
 * The Alerts view (key 6) against a real server: the console signs in to a local-mode
 * server (its own embedded Postgres), the analyst saves alert settings, an invalid
 * phone number is named under its field, and the valid save reaches the server.
 */
let browser: Browser
let closeBrowser: () => Promise<void>
let consoleApp: ConsoleProcess
let server: ServerProcess
let page: Page

describe('Alerts view in Chromium', () => {
  beforeAll(async () => {
    assertChromium()
    ensureRendererBuilt()
    mkdirSync(SCREENSHOT_DIR, { recursive: true })
    server = await startServerProcess({ seed: false })
    ;({ browser, close: closeBrowser } = await launchChromium())
    consoleApp = await startConsole()
    const signIn = await consoleApp.call('session.signIn', { serverUrl: server.url, token: server.token })
    expect(signIn.error).toBeUndefined()
    page = await consoleApp.newPage(browser, { viewport: { width: 1280, height: 900 } })
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
    // Saved, with the warning that this server (no Twilio) cannot send SMS.
    await expect.poll(() => page.locator('[data-testid="alerts-channel-warning"][data-channel="SMS"]').count()).toBe(1)
    expect(await page.locator('.field-error').count()).toBe(0)
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'alerts-saved.png') })

    const stored = await fetch(`${server.url}/trpc/notifications.settings`, { headers: { authorization: `Bearer ${server.token}` } })
    const body = (await stored.json()) as { result: { data: { phone: string; smsEnabled: boolean; timeZone: string } } }
    expect(body.result.data).toMatchObject({ phone: '+919812345678', smsEnabled: true, timeZone: 'Asia/Kolkata' })
  })
})
