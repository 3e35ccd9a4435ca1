import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CoreResult } from '../src/contract/result.ts'
import { generatedCsv } from '../test/support/generated-csv.ts'
import { ensureRendererBuilt } from './build-renderer.ts'
import { assertChromium, launchChromium, SCREENSHOT_DIR, scoreFileOnDevice, startConsole, type ConsoleProcess } from './harness.ts'

let browser: Browser
let closeBrowser: () => Promise<void>
let consoleApp: ConsoleProcess
let page: Page

async function api<T>(method: string, args: unknown): Promise<T> {
  const response = await page.request.post(`${consoleApp.url}/api/${method}`, { data: args, headers: { 'content-type': 'application/json' } })
  const body = (await response.json()) as CoreResult<T>
  if (body.error !== undefined) throw new Error(body.error.message)
  return body.data
}

/** Scoring files the way an analyst meets it: the file's own name in every message, and files that can be tidied away. */
describe('file scoring in Chromium (browser mode)', () => {
  beforeAll(async () => {
    assertChromium()
    ensureRendererBuilt()
    mkdirSync(SCREENSHOT_DIR, { recursive: true })
    ;({ browser, close: closeBrowser } = await launchChromium())
    consoleApp = await startConsole({ seedFixtures: 50 })
    page = await consoleApp.newPage(browser, { viewport: { width: 1440, height: 900 } })
    await page.goto(consoleApp.url)
  })
  async function openScoreView(): Promise<void> {
    await expect.poll(() => page.getByTestId('queue-count').textContent()).toMatch(/anomalies/)
    await page.keyboard.press('3')
    await expect.poll(() => page.getByTestId('scoring-view').isVisible()).toBe(true)
  }
  afterAll(async () => {
    await page?.close()
    await consoleApp?.stop()
    await closeBrowser?.()
  })

  it('refuses a header-only file by the name the analyst picked, before any batch exists', async () => {
    await openScoreView()
    const header = generatedCsv({ rows: 1, seed: 3 }).text.split('\n')[0] ?? ''
    await page.getByLabel('CSV file').setInputFiles({ name: 'march-export.csv', mimeType: 'text/csv', buffer: Buffer.from(`${header}\n`) })
    const alert = page.getByTestId('scoring-view').getByRole('alert')
    await expect.poll(() => alert.textContent()).toContain('march-export.csv has a header row but no transactions')
    // Not the upload's temporary id.
    expect(await alert.textContent()).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/)
    expect(await page.getByTestId('mapping-step').count()).toBe(0)
    expect(await api<unknown[]>('scoring.batches', {})).toEqual([])
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'scoring-header-only.png') })
  })

  it('deletes a scored file after a confirmation, and its alerts leave the queue', async () => {
    await scoreFileOnDevice(page, { name: 'branch-12.csv', text: generatedCsv({ rows: 300, seed: 9 }).text })
    const [batch] = await api<{ id: string; alertCount: number }[]>('scoring.batches', {})
    expect(batch?.alertCount).toBeGreaterThan(0)
    const row = page.getByTestId('scored-file').filter({ hasText: 'branch-12.csv' })
    await expect.poll(() => row.count()).toBe(1)

    await row.getByRole('button', { name: 'Delete branch-12.csv' }).click()
    const dialog = page.getByRole('dialog', { name: 'Delete branch-12.csv' })
    await expect.poll(() => dialog.textContent()).toContain('300 scored rows')
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'scoring-delete-confirm.png') })
    // Cancel keeps it.
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    expect(await api<unknown[]>('scoring.batches', {})).toHaveLength(1)

    await row.getByRole('button', { name: 'Delete branch-12.csv' }).click()
    await page.getByRole('dialog', { name: 'Delete branch-12.csv' }).getByRole('button', { name: 'Delete branch-12.csv' }).click()
    await expect.poll(() => page.getByTestId('scored-file').count()).toBe(0)
    expect(await api<unknown[]>('scoring.batches', {})).toEqual([])
    expect((await api<{ total: number }>('queue.snapshot', { filters: { batchId: batch?.id }, sort: 'severity' })).total).toBe(0)
  })

  it('warns that a mobile-money file is unlike the training data (a card file is not) and re-scores it with a forest fitted on the file', async () => {
    const like = page.getByTestId('scored-file').filter({ hasText: 'card-week.csv' })
    await page.getByRole('button', { name: 'Score another file' }).click()
    await scoreFileOnDevice(page, { name: 'card-week.csv', text: generatedCsv({ rows: 2_000, seed: 5 }).text })
    await expect.poll(() => like.count()).toBe(1)
    // A short card file starts every account's history empty, so history features read as shifted, never unlike.
    expect(await like.locator('xpath=following-sibling::tr[1]').getByTestId('domain-warning').getAttribute('data-verdict')).not.toBe('unlike')
    await page.getByRole('button', { name: 'Score another file' }).click()

    // Mobile money: no merchant history, hourly steps, balances, every amount far above card payments.
    const lines = ['step,type,amount,nameOrig,oldbalanceOrg,newbalanceOrig,nameDest,isFraud']
    for (let i = 0; i < 1_500; i += 1) {
      const before = 10_000 + ((i * 7919) % 90_000)
      const amount = 5_000 + ((i * 104_729) % 200_000)
      lines.push(`${1 + (i % 24)},TRANSFER,${amount}.00,C${i},${before}.00,${Math.max(0, before - amount)}.00,C${i + 7},${i % 50 === 0 ? 1 : 0}`)
    }
    await scoreFileOnDevice(page, { name: 'mobile-money.csv', text: `${lines.join('\n')}\n` })
    const warning = page.locator('[data-testid="domain-warning"][data-verdict="unlike"]')
    await expect.poll(() => warning.count(), { timeout: 10_000 }).toBe(1)
    expect(await warning.textContent()).toContain("unlike the model's training data")
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'scoring-domain-warning.png'), fullPage: true })

    const mobileFit = page.getByTestId('scored-file').filter({ hasText: 'mobile-money.csv' }).locator('xpath=following-sibling::tr[1]')
    await mobileFit.getByRole('button', { name: 'Score with a model fitted on this file' }).click()
    await expect.poll(() => page.getByTestId('file-model').count(), { timeout: 60_000 }).toBe(1)
    expect(await page.getByTestId('file-model').textContent()).toContain('isolation forest fitted on this file')
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'scoring-file-fitted.png'), fullPage: true })
  })
})
