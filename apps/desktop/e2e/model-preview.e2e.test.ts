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

/**
 * The Models view's candidate preview against a real server (CLI in local mode,
 * embedded Postgres, local object store): the shipped model registered and active
 * as 1.0.0, a stricter 1.1.0 (same trees, alert threshold raised to the HIGH cut-off)
 * registered beside it. Opened from the keyboard, the panel shows the server's own
 * figures inside the activation dialog, closes with Escape, and confirming makes 1.1.0 active.
 */
describe('Candidate model preview in Chromium', () => {
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

  /** The shipped artifact re-versioned; `stricter` moves the alert threshold up to the HIGH cut-off. */
  function upload(version: string, stricter: boolean) {
    const manifest = JSON.parse(readFileSync(join(DEFAULT_MODEL_DIR, 'manifest.json'), 'utf8')) as {
      version: string
      thresholds: { medium: number; high: number; critical: number }
      files: { trees: { sha256: string } }
    }
    const model = JSON.parse(readFileSync(join(DEFAULT_MODEL_DIR, 'model.json'), 'utf8')) as { thresholds: { medium: number; high: number; critical: number } }
    manifest.version = version
    if (stricter) {
      model.thresholds.medium = model.thresholds.high
      manifest.thresholds = model.thresholds
    }
    const trees = Buffer.from(JSON.stringify(model))
    manifest.files.trees.sha256 = createHash('sha256').update(trees).digest('hex')
    return {
      manifest: JSON.stringify(manifest),
      onnxBase64: readFileSync(join(DEFAULT_MODEL_DIR, 'model.onnx')).toString('base64'),
      treesBase64: trees.toString('base64'),
    }
  }

  beforeAll(async () => {
    assertChromium()
    ensureRendererBuilt()
    mkdirSync(SCREENSHOT_DIR, { recursive: true })
    server = await startServerProcess({ seed: false })
    const items = [...generateTransactions({ seed: 11, customers: 60, terminals: 120, days: 20, startDate: '2026-01-01' })]
    for (let i = 0; i < items.length; i += 1_000) {
      await call('ingest.transactions', { transactions: items.slice(i, i + 1_000).map((g) => g.transaction) })
    }
    await call('models.register', upload('1.0.0', false))
    await call('models.activate', { version: '1.0.0' })
    await call('models.register', upload('1.1.0', true))
    consoleApp = await startConsole()
    ;({ browser, close: closeBrowser } = await launchChromium())
    page = await consoleApp.newPage(browser, { viewport: { width: 1300, height: 1000 } })
    const signIn = await page.request.post(`${consoleApp.url}/api/session.signIn`, { data: { serverUrl: server.url, token: server.token } })
    expect(((await signIn.json()) as CoreResult<unknown>).error).toBeUndefined()
  })
  afterAll(async () => {
    await closeBrowser?.()
    await consoleApp?.stop()
    await server?.stop()
  })

  it('opens the preview from the keyboard with the server figures, closes on Escape, activates after confirming', async () => {
    const listed = await call<{ versions: { id: string; version: string }[] }>('models.list', undefined, 'GET')
    const candidateId = listed.versions.find((v) => v.version === '1.1.0')?.id ?? ''
    const expected = await call<{ before: { alerts: number }; after: { alerts: number }; droppedOut: number; movedTotal: number }>(
      'models.previewCandidate',
      { modelId: candidateId, limit: 20 },
      'GET',
    )
    // A stricter threshold on the same scores: alerts can only leave the queue.
    expect(expected.droppedOut).toBeGreaterThan(0)
    expect(expected.after.alerts).toBe(expected.before.alerts - expected.droppedOut)

    await page.goto(consoleApp.url)
    await expect.poll(() => page.getByTestId('sync-state').textContent(), { timeout: 30_000 }).toMatch(/Online|Syncing/)
    await page.keyboard.press('4')
    await expect.poll(() => page.getByTestId('active-version').textContent(), { timeout: 30_000 }).toBe('1.0.0')

    // The preview lives in the activation dialog, opened from the keyboard.
    const activateButton = page.getByRole('button', { name: 'Activate 1.1.0' })
    await activateButton.focus()
    await page.keyboard.press('Enter')
    await expect
      .poll(() => page.getByTestId('preview-alerts').textContent(), { timeout: 60_000 })
      .toBe(`${expected.before.alerts.toLocaleString('en-US')} → ${expected.after.alerts.toLocaleString('en-US')}`)
    expect(await page.getByTestId('preview-dropped').textContent()).toBe(expected.droppedOut.toLocaleString('en-US'))
    // Focus is on Cancel, so a stray Enter never switches the model.
    expect(await page.evaluate<string>("document.activeElement?.textContent ?? ''")).toMatch(/^Cancel/)
    expect(await page.locator('.preview-moved tbody tr').count()).toBe(Math.min(20, expected.movedTotal))
    expect(await page.locator('.preview-moved tbody tr[data-change="dropped"]').count()).toBe(Math.min(20, expected.movedTotal))
    // The severity chart is the console's recharts bar chart: both versions in its
    // legend, a labelled value axis, and a bar per version and severity.
    const chart = page.getByTestId('preview-severity-chart')
    await expect.poll(() => chart.locator('.recharts-legend-item-text').allTextContents()).toEqual(['1.0.0 (active)', '1.1.0'])
    expect(await chart.locator('.recharts-label').allTextContents()).toEqual(expect.arrayContaining(['severity', 'alerts']))
    expect(await chart.locator('.recharts-cartesian-axis-tick-value').allTextContents()).toEqual(expect.arrayContaining(['MEDIUM', 'HIGH', 'CRITICAL']))
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'model-preview.png'), fullPage: true })

    await page.keyboard.press('Escape')
    await expect.poll(() => page.getByTestId('candidate-preview').count()).toBe(0)

    await activateButton.click()
    await page.getByTestId('confirm-activate').click()
    await expect.poll(() => page.getByTestId('active-version').textContent(), { timeout: 30_000 }).toBe('1.1.0')
    await expect.poll(() => page.getByTestId('candidate-preview').count()).toBe(0)
  })
})
