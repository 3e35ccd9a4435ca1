import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { FEATURE_NAMES, FEATURE_WORDS } from '@anomalyze/shared/engine'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generatedCsv } from '../test/support/generated-csv.ts'
import { ensureRendererBuilt } from './build-renderer.ts'
import { assertChromium, launchChromium, SCREENSHOT_DIR, scoreFileOnDevice, startConsole, type ConsoleProcess } from './harness.ts'

let browser: Browser
let closeBrowser: () => Promise<void>
let consoleApp: ConsoleProcess
let page: Page

const ANALYST_LABELS = new Set(FEATURE_NAMES.map((name) => FEATURE_WORDS[name].label))
const bars = () => page.getByTestId('explanation-bars')

/**
 * The explanation's bar chart in the detail pane, on alerts scored by the real engine
 * (a file scored on this machine with the shipped model): the top contributions in an
 * analyst's words, raised to the right of zero, with the caption and its figures.
 */
describe('explanation bars in Chromium (browser mode)', () => {
  beforeAll(async () => {
    assertChromium()
    ensureRendererBuilt()
    mkdirSync(SCREENSHOT_DIR, { recursive: true })
    ;({ browser, close: closeBrowser } = await launchChromium())
    consoleApp = await startConsole({ seedFixtures: 20 })
    page = await consoleApp.newPage(browser, { viewport: { width: 1440, height: 900 } })
    await page.goto(consoleApp.url)
  })
  afterAll(async () => {
    await page?.close()
    await consoleApp?.stop()
    await closeBrowser?.()
  })

  it('draws the top contributions of a scored alert beside the sentence, readable without the chart', async () => {
    await expect.poll(() => page.getByTestId('queue-count').textContent()).toMatch(/anomalies/)
    await page.keyboard.press('3')
    await scoreFileOnDevice(page, { name: 'week-42.csv', text: generatedCsv({ rows: 400, seed: 8 }).text })
    await page.getByRole('button', { name: /^Triage \d+ alerts? in the queue/ }).click()
    await expect.poll(() => page.locator('.queue-row[aria-rowindex="1"]').getAttribute('data-anomaly-id')).toMatch(/^local_/)
    await page.keyboard.press('Enter')
    await expect.poll(() => page.getByTestId('explanation').textContent()).toMatch(/^Score \d\.\d\d/)

    // The chart waits for the cursor to settle, then loads recharts.
    await expect.poll(() => bars().locator('.explanation-bar').count(), { timeout: 10_000 }).toBeGreaterThan(0)
    expect(await bars().getAttribute('data-units')).toBe('score')
    const drawn = await bars().locator('.explanation-bar').count()
    expect(drawn).toBeLessThanOrEqual(6)
    expect(await bars().locator('.explanation-bar-raised').count()).toBeGreaterThan(0)

    // Rows of the figures table follow the bars: the first is the largest push, in an analyst's words.
    const figureRows = bars().getByTestId('explanation-figures').locator('tbody tr')
    expect(await figureRows.count()).toBe(drawn)
    const firstLabel = (await figureRows.first().locator('th').textContent()) ?? ''
    expect(ANALYST_LABELS.has(firstLabel)).toBe(true)
    expect(firstLabel).not.toMatch(/_/)
    // The chart draws the same words beside its first bar (wrapped onto lines, one tspan each).
    const tickLines = await bars().locator('.explanation-bar-label').first().locator('tspan').allTextContents()
    expect(tickLines.join(' ')).toBe(firstLabel)
    expect(await figureRows.first().locator('td').last().textContent()).toMatch(/^[+\u2212]\d\.\d{2,3}$/)
    // A raised bar's figure is the signed value the table gives it.
    const raisedRow = bars().locator('tbody tr[data-direction="raised"]').first()
    expect(await raisedRow.locator('td').last().textContent()).toMatch(/^\+\d\.\d{2,3}$/)

    const caption = (await bars().getByTestId('explanation-bars-caption').textContent()) ?? ''
    expect(caption).toContain('What raised the score')
    // A blended score names the isolation forest's share in the caption, as the sentence does.
    const sentenceShare = /isolation forest share ([+-]\d\.\d+)/.exec((await page.getByTestId('explanation').textContent()) ?? '')?.[1]
    if (sentenceShare === undefined) expect(caption).not.toContain('Isolation forest:')
    else expect(caption).toContain(`Isolation forest: ${sentenceShare.replace('-', '\u2212')} of the score (blend weight `)
    // Its accessible name names the top raise.
    const topRaise = (await raisedRow.locator('th').textContent()) ?? ''
    expect(await bars().getByRole('img').getAttribute('aria-label')).toContain(`Explanation chart in score points: raised most by ${topRaise} (+`)
    // The decide bar stays on screen under the chart.
    expect(await page.getByTestId('decide-actions').isVisible()).toBe(true)
    const actions = await page.getByTestId('decide-actions').boundingBox()
    expect((actions?.y ?? 900) + (actions?.height ?? 0)).toBeLessThanOrEqual(900)
    // The pane scrolls under its sticky decide bar: show the sentence and its chart together.
    await page.getByTestId('detail-pane').evaluate((pane) => {
      const sentence = pane.querySelector('[data-testid="explanation"]')
      if (sentence !== null) pane.scrollTop += sentence.getBoundingClientRect().top - pane.getBoundingClientRect().top - 48
    })
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'explanation-bars.png') })
    // Pointing at the first bar tells its phrase and figure.
    const firstPhrase = (await figureRows.first().locator('td').first().textContent()) ?? ''
    await bars().locator('.explanation-bar').first().hover()
    const tooltip = bars().locator('.explanation-tooltip')
    await expect.poll(() => tooltip.textContent()).toContain(firstPhrase)
    expect(await tooltip.textContent()).toContain('score points')
    await bars().screenshot({ path: join(SCREENSHOT_DIR, 'explanation-bars-chart.png') })
  })

  it('shows no chart box for an alert without contributions (a generated fixture)', async () => {
    await page.getByLabel('Source').selectOption('')
    await expect.poll(() => page.locator('.queue-row[aria-rowindex="1"]').getAttribute('data-anomaly-id')).toMatch(/^(?!local_)\S/)
    await page.locator('.queue-row[aria-rowindex="1"]').dblclick()
    await expect.poll(() => page.getByTestId('detail-pane').getAttribute('data-anomaly-id')).toMatch(/\S/)
    expect(await page.getByTestId('detail-pane').getAttribute('data-anomaly-id')).not.toMatch(/^local_/)
    await expect.poll(() => page.getByTestId('explanation').textContent()).not.toBe('Loading…')
    // Past the settle time (the account chart's placeholder is gone): a chart would show by now.
    await expect.poll(() => page.getByTestId('history-chart-pending').count(), { timeout: 10_000 }).toBe(0)
    expect(await bars().count()).toBe(0)
  })
})
