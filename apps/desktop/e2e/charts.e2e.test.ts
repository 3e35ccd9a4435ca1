import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Dashboard } from '../src/contract/dashboard.ts'
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

const TIME_CELL = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/

/** The times (UTC, "YYYY-MM-DD HH:MM") of the queue rows on screen. */
async function shownRowTimes(): Promise<string[]> {
  const cells = await page.getByTestId('queue-scroll').getByRole('gridcell').allTextContents()
  return cells.map((c) => c.trim()).filter((c) => TIME_CELL.test(c))
}

async function openOverview(): Promise<void> {
  await page.keyboard.press('2')
  await expect.poll(() => page.getByTestId('chart-alerts-per-day').isVisible()).toBe(true)
}

/** Overview charts an analyst can read, count scored files in, and click into the queue from. */
describe('overview charts in Chromium (browser mode)', () => {
  beforeAll(async () => {
    assertChromium()
    ensureRendererBuilt()
    mkdirSync(SCREENSHOT_DIR, { recursive: true })
    ;({ browser, close: closeBrowser } = await launchChromium())
    consoleApp = await startConsole({ seedFixtures: 80 })
    page = await consoleApp.newPage(browser, { viewport: { width: 1440, height: 900 } })
    await page.goto(consoleApp.url)
  })
  afterAll(async () => {
    await page?.close()
    await consoleApp?.stop()
    await closeBrowser?.()
  })

  it('counts the alerts of a scored file next to the synced queue', async () => {
    await expect.poll(() => page.getByTestId('queue-count').textContent()).toMatch(/anomalies/)
    await page.keyboard.press('3')
    await scoreFileOnDevice(page, { name: 'branch-7.csv', text: generatedCsv({ rows: 300, seed: 4 }).text })
    const [batch] = await api<{ id: string; alertCount: number }[]>('scoring.batches', {})
    expect(batch?.alertCount).toBeGreaterThan(0)
    const synced = await api<Dashboard>('dashboard.get', { batchId: null })

    await openOverview()
    const fileRow = page.getByTestId('source-row').filter({ hasText: 'branch-7.csv' })
    await expect.poll(() => fileRow.getByRole('cell').nth(1).textContent()).toBe((batch?.alertCount ?? 0).toLocaleString('en-US'))
    expect(await page.getByTestId('source-total-all').textContent()).toBe((synced.total + (batch?.alertCount ?? 0)).toLocaleString('en-US'))
    // Charting the file: its own alert count.
    await fileRow.getByRole('radio').check()
    await expect.poll(() => page.getByTestId('kpi-total').textContent()).toBe((batch?.alertCount ?? 0).toLocaleString('en-US'))
    await page.getByTestId('source-row').filter({ hasText: 'Synced queue' }).getByRole('radio').check()
    await expect.poll(() => page.getByTestId('kpi-total').textContent()).toBe(synced.total.toLocaleString('en-US'))
  })

  it('draws labelled axes with dates and currency, and a tooltip with the exact value', async () => {
    const perDay = page.getByTestId('chart-alerts-per-day')
    const tickValues = perDay.locator('.recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value')
    // The container measures itself before the axes draw.
    await expect.poll(() => tickValues.count()).toBeGreaterThan(0)
    const ticks = await tickValues.allTextContents()
    for (const tick of ticks) expect(tick).toMatch(/^[A-Z][a-z]{2} \d{1,2}$/)
    expect(await perDay.locator('.recharts-label').allTextContents()).toEqual(expect.arrayContaining(['day (UTC)', 'alerts']))
    const amountLabels = await page.getByTestId('chart-amount-per-day').locator('.recharts-label').allTextContents()
    expect(amountLabels.join(' ')).toMatch(/amount \((INR|per currency)\)/)

    const bar = perDay.getByRole('button').first()
    const box = await bar.boundingBox()
    if (box === null) throw new Error('no day bar drawn')
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    const tooltip = perDay.locator('.recharts-tooltip-wrapper')
    await expect.poll(() => tooltip.textContent()).toMatch(/[A-Z][a-z]{2} \d{1,2}.*Alerts\s*:\s*\d+/)
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'overview-charts.png') })
  })

  it('opens the queue on the day of a clicked day bar, in the charted file', async () => {
    // The scored file spans several days (the seeded queue sits on one).
    const [batch] = await api<{ id: string }[]>('scoring.batches', {})
    await page.getByTestId('source-row').filter({ hasText: 'branch-7.csv' }).getByRole('radio').check()
    const d = await api<Dashboard>('dashboard.get', { batchId: batch?.id ?? null })
    expect(d.days.length).toBeGreaterThan(1)
    await expect.poll(() => page.getByTestId('kpi-total').textContent()).toBe(d.total.toLocaleString('en-US'))
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'overview-file-charts.png'), fullPage: true })
    const busiest = [...d.days].sort((a, b) => b.anomalies - a.anomalies)[0]
    if (busiest === undefined) throw new Error('no day in the fixtures')
    const dayText = new Date(busiest.day).toISOString().slice(0, 10)
    const label = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(busiest.day)
    await page
      .getByTestId('chart-alerts-per-day')
      .getByRole('button', { name: `${label}: ${busiest.anomalies} alerts, open in the queue` })
      .click()
    await expect.poll(() => page.getByTestId('queue-count').textContent()).toBe(`${busiest.anomalies} ${busiest.anomalies === 1 ? 'anomaly' : 'anomalies'}`)
    // The filter is visible: both date inputs name the day.
    expect(await page.getByLabel('From date').inputValue()).toBe(dayText)
    expect(await page.getByLabel('To date').inputValue()).toBe(dayText)
    const times = await shownRowTimes()
    expect(times.length).toBeLessThanOrEqual(busiest.anomalies)
    expect(times.length).toBeGreaterThan(0)
    for (const t of times) expect(t.slice(0, 10)).toBe(dayText)
    expect(await page.getByLabel('Source').inputValue()).toBe(batch?.id)
  })

  it('opens the queue on a clicked severity, also from the keyboard', async () => {
    await openOverview()
    const d = await api<Dashboard>('dashboard.get', { batchId: null })
    const [top] = [...d.severityMix].sort((a, b) => b.count - a.count)
    if (top === undefined || top.count < 2) throw new Error('the fixtures have no severity with two alerts')
    const name = top.severity.charAt(0) + top.severity.slice(1).toLowerCase()
    await page
      .getByTestId('chart-severity')
      .getByRole('button', { name: `${name}: ${top.count} alerts, open in the queue` })
      .focus()
    await page.keyboard.press('Enter')
    await expect.poll(() => page.getByTestId('queue-count').textContent()).toBe(`${top.count} anomalies`)
    const chips = page.getByRole('group', { name: 'Severity' })
    for (const s of d.severityMix)
      expect(await chips.getByRole('button', { name: s.severity }).getAttribute('aria-pressed')).toBe(String(s.severity === top.severity))
    // Dates from the day click are gone: a chart click sets its own filter only.
    expect(await page.getByLabel('From date').inputValue()).toBe('')
  })

  it('shows the account history of the alert in view with axes', async () => {
    await page.locator('.queue-row').first().click()
    await page.keyboard.press('Enter')
    const chart = page.getByTestId('history-chart')
    await expect.poll(() => chart.count()).toBe(1)
    await chart.scrollIntoViewIfNeeded()
    expect(await chart.locator('.recharts-label').allTextContents()).toEqual(expect.arrayContaining(['time (UTC)']))
    expect(await chart.getByTestId('history-current').count()).toBe(1)
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'detail-history-chart.png') })
  })
})
