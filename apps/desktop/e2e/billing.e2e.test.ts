import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  startApp,
  type RunningApp,
  loadEnv,
  seedPlans,
  signWebhook,
  startRazorpayStub,
  webhookEvent,
  type RazorpayStub,
  testLogger,
} from '@anomalyze/server/testing'
import { ensureRendererBuilt } from './build-renderer.ts'
import { assertChromium, launchChromium, SCREENSHOT_DIR, startConsole, type ConsoleProcess } from './harness.ts'

const WEBHOOK_SECRET = 'whsec_e2e'

/**
 * Billing and Audit screens against the real server (embedded Postgres, local mode)
 * with Razorpay's API played by the local stub: subscribe, paid by signed webhooks,
 * then the console shows the plan, the invoice and the trail.
 */
describe('Billing and Audit screens in Chromium', () => {
  let stub: RazorpayStub
  let app: RunningApp
  let dataDir: string
  let consoleApp: ConsoleProcess
  let browser: Browser
  let closeBrowser: () => Promise<void>
  let page: Page

  beforeAll(async () => {
    assertChromium()
    ensureRendererBuilt()
    mkdirSync(SCREENSHOT_DIR, { recursive: true })
    stub = await startRazorpayStub()
    dataDir = mkdtempSync(join(tmpdir(), 'anomalyze-billing-e2e-'))
    // Embedded Postgres runs as the `postgres` user when tests run as root.
    chmodSync(dataDir, 0o777)
    app = await startApp(
      loadEnv({
        ANOMALYZE_DATA_DIR: dataDir,
        PORT: '0',
        PG_PORT: '54391',
        RAZORPAY_KEY_ID: stub.keyId,
        RAZORPAY_KEY_SECRET: stub.keySecret,
        RAZORPAY_API_BASE_URL: stub.url,
        RAZORPAY_WEBHOOK_SECRET: WEBHOOK_SECRET,
        JOB_POLL_SECONDS: '0.5',
      }),
      testLogger,
    )
    await seedPlans(app.db)
    consoleApp = await startConsole()
    ;({ browser, close: closeBrowser } = await launchChromium())
    page = await consoleApp.newPage(browser, { viewport: { width: 1440, height: 900 } })
    const signIn = await page.request.post(`${consoleApp.url}/api/session.signIn`, {
      data: { serverUrl: app.url, token: app.localToken },
      headers: { 'content-type': 'application/json' },
    })
    expect(signIn.status()).toBe(200)
  })
  afterAll(async () => {
    await closeBrowser?.()
    await consoleApp?.stop()
    await app?.stop()
    await stub?.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('subscribes, shows Pro once Razorpay says paid, lists the invoice; the audit screen filters the trail', async () => {
    await page.goto(consoleApp.url)
    await page.getByRole('button', { name: /^Billing/ }).click()
    await expect.poll(() => page.getByTestId('billing-plan').textContent(), { timeout: 20_000 }).toBe('Free')

    // Upgrading opens Razorpay's checkout (the stub's short URL) and leaves the plan pending.
    const popup = page.waitForEvent('popup')
    await page.getByRole('button', { name: 'Upgrade to Pro' }).click()
    const checkout = await popup
    const subscription = [...stub.subscriptions.values()][0]
    expect(checkout.url()).toBe(subscription?.short_url)
    await checkout.close()
    await expect.poll(() => page.getByTestId('billing-status').textContent(), { timeout: 20_000 }).toContain('Waiting for payment')

    // Razorpay's side: activated, then charged, as signed webhooks.
    if (subscription === undefined) throw new Error('no subscription at the stub')
    subscription.status = 'active'
    const now = Math.floor(Date.now() / 1000)
    const entity = { id: subscription.id, plan_id: subscription.plan_id, current_start: now, current_end: now + 30 * 86_400, notes: subscription.notes }
    for (const [event, payment] of [
      ['subscription.activated', undefined],
      ['subscription.charged', { id: 'pay_e2e_1', amount: 4_999_00, currency: 'INR' }],
    ] as const) {
      const body = webhookEvent(event, now, { subscription: entity, ...(payment ? { payment } : {}) })
      const response = await fetch(`${app.url}/webhooks/razorpay`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'x-razorpay-event-id': `evt_${event}`, 'x-razorpay-signature': signWebhook(body, WEBHOOK_SECRET) },
      })
      expect(response.status).toBe(200)
    }
    await expect.poll(() => page.getByTestId('billing-plan').textContent(), { timeout: 30_000 }).toBe('Pro')
    await expect.poll(() => page.getByTestId('invoice-row').count(), { timeout: 30_000 }).toBe(1)
    expect(await page.getByTestId('invoice-row').textContent()).toContain('₹4,999.00')
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'billing.png') })

    await page.keyboard.press('8')
    await expect.poll(() => page.getByTestId('audit-row').count(), { timeout: 20_000 }).toBeGreaterThan(3)
    await page.getByLabel('Action').selectOption('billing.plan_change')
    await expect
      .poll(() => page.getByTestId('audit-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-action'))))
      .toEqual(['billing.plan_change'])
    // A readable change, not raw JSON.
    expect(await page.getByTestId('audit-row').textContent()).toMatch(/planId: .*→ pro/)
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'audit.png') })
  })
})
