import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureRendererBuilt } from './build-renderer.ts'
import {
  assertChromium,
  launchChromium,
  SCREENSHOT_DIR,
  startConsole,
  startServerProcess,
  type ConsoleProcess,
  type ServerProcess,
  serverCall,
  coreResult,
} from './harness.ts'

/**
 * The API keys view against a real local-mode server: the admin creates a key in the
 * console (its secret shown once), an ingestion client's call with that secret is
 * accepted, the admin revokes it after a confirmation naming it and the same call is
 * refused 401; the plan's key limit is refused in the server's words; an analyst sees
 * no key, no create or revoke control, and why.
 */
let browser: Browser
let closeBrowser: () => Promise<void>
let consoleApp: ConsoleProcess
let server: ServerProcess
let page: Page
let analystToken: string

const trpc = <T>(path: string, input: unknown, token: string, method: 'GET' | 'POST' = 'POST'): Promise<T> =>
  serverCall<T>(server.url, path, input, token, method)

const core = <T>(method: string, args: unknown): Promise<T> => coreResult<T>(consoleApp, method, args)

/** What an ingestion client does with its key: one plain tRPC call, status and body as they come. */
async function ingestWith(secret: string, txId: string): Promise<{ status: number; body: { result?: { data: { accepted: number } }; error?: unknown } }> {
  const response = await fetch(`${server.url}/trpc/ingest.transactions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      transactions: [{ txId, timestamp: '2026-03-01T10:00:00Z', amount: 1250.5, currency: 'INR', accountId: 'card_42', merchantId: 'term_7', country: 'IN' }],
    }),
  })
  return { status: response.status, body: (await response.json()) as { result?: { data: { accepted: number } }; error?: unknown } }
}

describe('API keys in Chromium', () => {
  beforeAll(async () => {
    assertChromium()
    ensureRendererBuilt()
    mkdirSync(SCREENSHOT_DIR, { recursive: true })
    server = await startServerProcess({ seed: false })
    analystToken = (await trpc<{ token: string }>('members.add', { name: 'Asha Analyst', role: 'analyst' }, server.token)).token
    consoleApp = await startConsole()
    ;({ browser, close: closeBrowser } = await launchChromium())
    await core('session.signIn', { serverUrl: server.url, token: server.token })
    await core('sync.now', {})
    page = await consoleApp.newPage(browser, { viewport: { width: 1440, height: 900 } })
  })
  afterAll(async () => {
    await closeBrowser?.()
    await consoleApp?.stop()
    await server?.stop()
  })

  it('the admin creates a key (secret shown once), a client ingests with it, and after revoking it the client is refused 401', async () => {
    await expect.poll(() => page.getByTestId('account-role').textContent()).toBe('admin')
    await page.keyboard.press('0')
    await expect.poll(() => page.getByTestId('api-keys-view').count()).toBe(1)
    expect(await page.getByTestId('role-note').count()).toBe(0)
    expect(await page.getByTestId('api-key-row').count()).toBe(0)

    // The default scope is what an ingestion client needs.
    expect(await page.getByRole('checkbox', { name: 'ingest:write' }).isChecked()).toBe(true)
    expect(await page.getByRole('checkbox', { name: 'anomalies:read' }).isChecked()).toBe(false)
    await page.getByRole('checkbox', { name: 'anomalies:read' }).check()
    await page.getByLabel('Key name').fill('ingest bot')
    await page.getByRole('button', { name: 'Create key' }).click()

    await expect.poll(() => page.getByTestId('api-key-secret').count()).toBe(1)
    expect(await page.getByTestId('api-key-secret').textContent()).toContain('it will not be shown again')
    const secret = await page.getByTestId('api-key-secret-value').inputValue()
    expect(secret).toMatch(/^sk_live_[A-Za-z0-9]{12}_/)
    expect(await page.getByTestId('api-key-secret').getByRole('button', { name: 'Copy' }).count()).toBe(1)
    const curl = (await page.getByTestId('api-key-curl').textContent()) ?? ''
    expect(curl).toContain(`${server.url}/trpc/ingest.transactions`)
    expect(curl).toContain(`authorization: Bearer ${secret}`)
    expect(curl.split('\n')).toHaveLength(1)

    await expect.poll(() => page.getByTestId('api-key-row').count()).toBe(1)
    const row = page.getByTestId('api-key-row').first()
    expect(await row.textContent()).toContain('ingest bot')
    expect(await row.textContent()).toContain(secret.split('_').slice(0, 3).join('_'))
    expect(await row.locator('.scope-badge').allTextContents()).toEqual(['ingest:write', 'anomalies:read'])
    expect(await row.getByTestId('api-key-revoked').textContent()).toBe('—')
    await expect.poll(() => page.getByTestId('api-keys-usage').textContent()).toBe('Active keys: 1 of 3 on your plan.')
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'api-keys.png') })

    // The key works as an ingestion client's bearer token.
    const accepted = await ingestWith(secret, 'e2e-key-1')
    expect(accepted.status).toBe(200)
    expect(accepted.body.result?.data.accepted).toBe(1)

    // Once hidden, the secret is nowhere in the page (and the list never had it).
    await page.getByRole('button', { name: /I have copied it/ }).click()
    expect(await page.getByTestId('api-key-secret').count()).toBe(0)
    expect(await page.content()).not.toContain(secret)

    // Revoking asks first, naming the key and saying it cannot be undone; Cancel keeps it.
    await row.getByRole('button', { name: 'Revoke ingest bot' }).click()
    const dialog = page.getByRole('dialog', { name: 'Revoke ingest bot' })
    expect(await dialog.getByRole('heading').textContent()).toBe('Revoke “ingest bot”?')
    expect(await dialog.textContent()).toContain('cannot be undone')
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    expect(await page.getByRole('dialog').count()).toBe(0)
    expect((await ingestWith(secret, 'e2e-key-2')).status).toBe(200)

    await row.getByRole('button', { name: 'Revoke ingest bot' }).click()
    await dialog.getByRole('button', { name: 'Revoke ingest bot' }).click()
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0)
    await expect.poll(() => row.getByTestId('api-key-revoked').textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d$/)
    expect(await row.getByRole('button', { name: /^Revoke/ }).count()).toBe(0)
    expect(await row.locator('td').nth(4).textContent()).not.toBe('never')

    const refused = await ingestWith(secret, 'e2e-key-3')
    expect(refused.status).toBe(401)
  })

  it("the plan's key limit is refused in the server's words", async () => {
    for (const name of ['bot 2', 'bot 3', 'bot 4']) await trpc('apiKeys.create', { name, scopes: ['ingest:write'] }, server.token)
    // Keys another admin made show up when the view is opened again.
    await page.keyboard.press('9')
    await expect.poll(() => page.getByTestId('api-keys-view').count()).toBe(0)
    await page.keyboard.press('0')
    await expect.poll(() => page.getByTestId('api-key-row').count()).toBe(4)
    await expect.poll(() => page.getByTestId('api-keys-usage').textContent()).toBe('Active keys: 3 of 3 on your plan.')
    await page.getByLabel('Key name').fill('one too many')
    await page.getByRole('button', { name: 'Create key' }).click()
    await expect
      .poll(() => page.getByTestId('api-key-create-error').textContent())
      .toBe('The Free plan allows 3 active API keys and you have 3: revoke one, or upgrade on the Billing screen (billing.subscribe)')
    expect(await page.getByTestId('api-key-secret').count()).toBe(0)
    expect(await page.getByTestId('api-key-row').count()).toBe(4)
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'api-keys-limit.png') })
  })

  it('an analyst sees no key and no create or revoke control, with the reason', async () => {
    await page.getByTestId('switch-person').click()
    await page.getByLabel('Token').fill(analystToken)
    await page.getByRole('button', { name: 'Sign in and sync' }).click()
    await expect.poll(() => page.getByRole('form', { name: 'Sign in' }).count()).toBe(0)
    await expect.poll(() => page.getByTestId('account-role').textContent()).toBe('analyst')
    await page.keyboard.press('0')
    await expect.poll(() => page.getByTestId('api-keys-view').count()).toBe(1)
    const profile = await core<{ profile: { org: { name: string } } }>('session.profile', {})
    await expect
      .poll(() => page.getByTestId('role-note').textContent())
      .toBe(`Managing API keys needs the admin role; you are an analyst in ${profile.profile.org.name}`)
    expect(await page.getByRole('form', { name: 'Create an API key' }).count()).toBe(0)
    expect(await page.getByRole('button', { name: /^Revoke/ }).count()).toBe(0)
    expect(await page.getByTestId('api-key-row').count()).toBe(0)
    expect(await page.getByRole('alert').count()).toBe(0)
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'api-keys-analyst.png') })
    // The server agrees: the analyst's own token cannot list keys.
    await expect(trpc('apiKeys.list', {}, analystToken, 'GET')).rejects.toThrow(/This needs the admin role; you are an analyst/)
  })
})
