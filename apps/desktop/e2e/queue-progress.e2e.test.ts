import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CoreResult } from '../src/contract/result.ts'
import { VIEWS, viewKeyLabel } from '../src/renderer/src/views.ts'
import { ensureRendererBuilt } from './build-renderer.ts'
import { assertChromium, launchChromium, startConsole, type ConsoleProcess } from './harness.ts'

const FIXTURES = 300
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
const statusOf = async (id: string): Promise<string> => (await api<{ status: string }>('anomaly.get', { id })).status
const rowId = (index: number) => page.locator(`.queue-row[aria-rowindex="${index + 1}"]`).getAttribute('data-anomaly-id')
const cursorId = () => page.locator('.queue-row.is-cursor').getAttribute('data-anomaly-id')
const detailId = () => page.getByTestId('detail-pane').getAttribute('data-anomaly-id')
const figure = async (testId: string): Promise<number> => Number((await page.getByTestId(testId).textContent())?.replace(/[^\d]/g, ''))
const progress = async () => ({ count: await figure('queue-count'), left: await figure('left-in-view'), today: await figure('decided-today') })

describe('queue progress in Chromium', () => {
  beforeAll(async () => {
    assertChromium()
    ensureRendererBuilt()
    ;({ browser, close: closeBrowser } = await launchChromium())
    consoleApp = await startConsole({ seedFixtures: FIXTURES })
    page = await consoleApp.newPage(browser, { viewport: { width: 1440, height: 900 } })
    await page.goto(consoleApp.url)
    await page.waitForSelector('[data-testid="left-in-view"]', { timeout: 30_000 })
    await page.waitForSelector('.queue-row[aria-rowindex="11"][data-anomaly-id]')
  })
  afterAll(async () => {
    await page?.close()
    await consoleApp?.stop()
    await closeBrowser?.()
  })

  it('a decision in the Open view moves the counts, takes the row out, and undo brings it back under the cursor', async () => {
    const before = await progress()
    expect(before.count).toBeGreaterThan(10)
    const first = (await rowId(0)) ?? ''
    const second = await rowId(1)
    await page.keyboard.press('Enter')
    await page.keyboard.press('f')
    // The next alert slides under the cursor and shows in the detail at once.
    await expect.poll(() => rowId(0)).toBe(second)
    expect(await detailId()).toBe(second)
    expect(await page.locator(`.queue-row[data-anomaly-id="${first}"]`).count()).toBe(0)
    await expect.poll(() => statusOf(first)).toBe('CONFIRMED_FRAUD')
    await expect.poll(progress).toEqual({ count: before.count - 1, left: before.left - 1, today: before.today + 1 })

    await page.keyboard.press('u')
    await expect.poll(() => rowId(0)).toBe(first)
    expect(await cursorId()).toBe(first)
    await expect.poll(detailId).toBe(first)
    await expect.poll(() => statusOf(first)).toBe('OPEN')
    await expect.poll(progress).toEqual(before)
  })

  it('undo puts the cursor back on a row further down the list', async () => {
    await page.keyboard.press('j')
    await page.keyboard.press('j')
    const third = (await cursorId()) ?? ''
    expect(third).toBe(await rowId(2))
    await page.keyboard.press('p')
    await expect.poll(() => rowId(2)).not.toBe(third)
    await page.keyboard.press('k')
    await page.keyboard.press('u')
    await expect.poll(cursorId).toBe(third)
    expect(await rowId(2)).toBe(third)
  })

  it('select-all takes every row of the view and asks before labelling that many', async () => {
    const { count } = await progress()
    await page.keyboard.press('Control+a')
    await expect.poll(() => page.getByTestId('selection-count').textContent()).toMatch(new RegExp(`^${count} selected`))
    expect(await page.getByRole('checkbox', { name: /Select every row in this view/ }).isChecked()).toBe(true)
    const boxes = page.locator('.queue-row input[type="checkbox"]')
    expect(await boxes.count()).toBeGreaterThan(10)
    for (const box of await boxes.all()) expect(await box.isChecked()).toBe(true)
    await page.keyboard.press('f')
    await expect.poll(() => page.getByTestId('bulk-confirm').textContent()).toContain(`Label ${count} alerts`)
    await page.keyboard.press('Escape')
    expect(await page.getByTestId('bulk-confirm').count()).toBe(0)
    expect(await statusOf((await rowId(0)) ?? '')).toBe('OPEN')
    await page.keyboard.press('Control+a')
    await expect.poll(() => page.getByTestId('selection-count').count()).toBe(0)
  })

  it('? lists every view key, up to the last view, and the select-all and copy keys', async () => {
    await page.keyboard.press('?')
    const views = page.getByRole('table', { name: 'Views' })
    await expect.poll(() => views.locator('tr').count()).toBe(VIEWS.length)
    const last = VIEWS.at(-1)
    if (last === undefined) throw new Error('views.ts lists no views')
    expect(await views.locator('tr').last().textContent()).toBe(`${viewKeyLabel(last.key)}${last.label}`)
    const keys = await page.getByRole('table', { name: 'Queue: selection and copy' }).textContent()
    expect(keys).toContain('Ctrl/⌘+A')
    expect(keys).toContain('Ctrl/⌘+C')
    await page.keyboard.press('Escape')
  })
})
