import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateTransactions } from '@anomalyze/shared/engine'
import { DEFAULT_MODEL_DIR } from '@anomalyze/shared/node'
import type { CoreResult } from '../src/contract/result.ts'
import { ensureRendererBuilt } from './build-renderer.ts'
import { assertChromium, launchChromium, SCREENSHOT_DIR, startConsole, startServerProcess, type ConsoleProcess, type ServerProcess } from './harness.ts'

/** Average precision the worse candidate claims (its manifest's evaluation). */
const WORSE_AP = 0.4

/**
 * A model switch against a real server (CLI in local mode, embedded Postgres, local
 * object store): the shipped default is active and a worse 1.1.0 (lower average
 * precision) is registered. Activate asks first, with both versions' figures side by
 * side; Escape and Cancel keep the active version; confirming switches and the list
 * follows; the shipped default can be activated again the same way.
 */
describe('Switching models in Chromium', () => {
  let browser: Browser
  let closeBrowser: () => Promise<void>
  let server: ServerProcess
  let consoleApp: ConsoleProcess
  let page: Page

  async function call<T>(path: string, input: unknown, method: 'GET' | 'POST' = 'POST'): Promise<T> {
    const url = method === 'GET' ? `${server.url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}` : `${server.url}/trpc/${path}`
    const response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${server.token}`, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
      ...(method === 'POST' ? { body: JSON.stringify(input) } : {}),
    })
    const body = (await response.json()) as { result?: { data: T }; error?: unknown }
    if (body.result === undefined) throw new Error(`${path} failed: ${JSON.stringify(body.error)}`)
    return body.result.data
  }

  /** The shipped artifact re-versioned, its evaluation claiming a lower average precision. */
  function worseCandidate(version: string) {
    const manifest = JSON.parse(readFileSync(join(DEFAULT_MODEL_DIR, 'manifest.json'), 'utf8')) as { version: string; metrics: Record<string, unknown> }
    manifest.version = version
    manifest.metrics = { ...manifest.metrics, holdoutAveragePrecision: WORSE_AP }
    const trees = readFileSync(join(DEFAULT_MODEL_DIR, 'model.json'))
    return {
      manifest: JSON.stringify(manifest),
      onnxBase64: readFileSync(join(DEFAULT_MODEL_DIR, 'model.onnx')).toString('base64'),
      treesBase64: trees.toString('base64'),
      sha256: createHash('sha256')
        .update(readFileSync(join(DEFAULT_MODEL_DIR, 'model.onnx')))
        .digest('hex'),
    }
  }

  const activeOnServer = async () => (await call<{ activeVersion: string }>('models.list', undefined, 'GET')).activeVersion
  const row = (version: string) => page.locator(`[data-testid="version-row"][data-version="${version}"]`)
  const dialog = () => page.getByTestId('activate-dialog')

  beforeAll(async () => {
    assertChromium()
    ensureRendererBuilt()
    mkdirSync(SCREENSHOT_DIR, { recursive: true })
    server = await startServerProcess({ seed: false })
    const items = [...generateTransactions({ seed: 12, customers: 50, terminals: 100, days: 15, startDate: '2026-01-01' })]
    for (let i = 0; i < items.length; i += 1_000) {
      await call('ingest.transactions', { transactions: items.slice(i, i + 1_000).map((g) => g.transaction) })
    }
    await call('models.register', worseCandidate('1.1.0'))
    consoleApp = await startConsole()
    ;({ browser, close: closeBrowser } = await launchChromium())
    page = await consoleApp.newPage(browser, { viewport: { width: 1440, height: 900 } })
    const signIn = await page.request.post(`${consoleApp.url}/api/session.signIn`, { data: { serverUrl: server.url, token: server.token } })
    expect(((await signIn.json()) as CoreResult<unknown>).error).toBeUndefined()
  })
  afterAll(async () => {
    await closeBrowser?.()
    await consoleApp?.stop()
    await server?.stop()
  })

  it('confirms a worse candidate with both figure sets, cancels, activates, and goes back to the shipped default', async () => {
    expect(await activeOnServer()).toBe('default')
    await page.goto(consoleApp.url)
    await expect.poll(() => page.getByTestId('sync-state').textContent(), { timeout: 30_000 }).toMatch(/Online|Syncing/)
    await page.keyboard.press('4')
    await expect.poll(() => page.getByTestId('active-version').textContent(), { timeout: 30_000 }).toBe('default')
    // Both versions are rows; the shipped default is the active one.
    expect(await row('default').getAttribute('data-active')).toBe('true')
    expect(await row('1.1.0').getAttribute('data-active')).toBe('false')
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'models-view.png') })

    // Activate asks first; Cancel has the focus, Escape keeps the active version.
    await page.getByRole('button', { name: 'Activate 1.1.0' }).click()
    await expect.poll(() => dialog().count()).toBe(1)
    expect(await page.evaluate<string>("document.activeElement?.textContent ?? ''")).toMatch(/^Cancel/)
    const headers = await dialog().locator('[data-testid="compare-table"] thead th').allTextContents()
    expect(headers).toEqual(['Figure', 'shipped default (active)', '1.1.0'])
    // The preview of the alerts that would move is in the dialog too; once it is in,
    // the table holds its final figures.
    await expect.poll(() => dialog().getByTestId('candidate-preview').count()).toBe(1)
    await expect.poll(() => dialog().locator('[data-testid="preview-alerts"]').count(), { timeout: 60_000 }).toBe(1)
    // No analyst has decided anything here, so precision cannot be measured on recent
    // transactions: both sides show their registered evaluation, and the note says so.
    const apRow = dialog().locator('tr[data-figure="averagePrecision"]')
    expect(await apRow.getAttribute('data-source')).toBe('registered')
    expect(await dialog().getByTestId('candidate-averagePrecision').textContent()).toMatch(/^0\.400/)
    const activeAp = await dialog().getByTestId('active-averagePrecision').textContent()
    if (activeAp !== '–' && Number.parseFloat(activeAp ?? '') > WORSE_AP) {
      expect(await dialog().getByTestId('candidate-averagePrecision').textContent()).toContain('worse')
    }
    if ((await dialog().locator('tr[data-source="recent"]').count()) > 0) {
      expect(await dialog().getByTestId('figure-sources').textContent()).toContain('* from each version’s evaluation')
    }
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'models-activate-dialog.png') })
    await page.keyboard.press('Escape')
    await expect.poll(() => dialog().count()).toBe(0)
    expect(await activeOnServer()).toBe('default')

    // Cancel by its button keeps it too.
    await page.getByRole('button', { name: 'Activate 1.1.0' }).click()
    await dialog()
      .getByRole('button', { name: /^Cancel/ })
      .click()
    await expect.poll(() => dialog().count()).toBe(0)
    expect(await activeOnServer()).toBe('default')

    // Confirming switches, and the list follows without a reload.
    await page.getByRole('button', { name: 'Activate 1.1.0' }).click()
    await dialog().getByTestId('confirm-activate').click()
    await expect.poll(() => page.getByTestId('active-version').textContent(), { timeout: 30_000 }).toBe('1.1.0')
    await expect.poll(() => row('1.1.0').getAttribute('data-active')).toBe('true')
    expect(await activeOnServer()).toBe('1.1.0')

    // The shipped default has its own Activate, with the same confirmation.
    await page.getByRole('button', { name: 'Activate shipped default' }).click()
    await expect.poll(() => dialog().count()).toBe(1)
    expect(await dialog().locator('[data-testid="compare-table"] thead th').allTextContents()).toEqual(['Figure', '1.1.0 (active)', 'shipped default'])
    await dialog().getByTestId('confirm-activate').click()
    await expect.poll(() => page.getByTestId('active-version').textContent(), { timeout: 30_000 }).toBe('default')
    await expect.poll(() => row('default').getAttribute('data-active')).toBe('true')
    expect(await activeOnServer()).toBe('default')
  })
})
