import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateTransactions } from '@anomalyze/shared/engine'
import { ensureRendererBuilt } from './build-renderer.ts'
import {
  assertChromium,
  coreResult,
  launchChromium,
  SCREENSHOT_DIR,
  serverCall,
  startConsole,
  startServerProcess,
  type ConsoleProcess,
  type ServerProcess,
} from './harness.ts'

/**
 * Rules as data (issue #21) in Chromium against a real local-mode server: the admin
 * writes a rule in the Rules view, sees its syntax error at its line and column, fixes
 * it, backtests it on the server (figures and chart), publishes it with a comment
 * (confirming the budget warning if the server asks), and transactions ingested after
 * that come back through sync as alerts carrying the rule. An analyst can draft, but
 * the Publish control is off and says why.
 */
let browser: Browser
let closeBrowser: () => Promise<void>
let server: ServerProcess
let adminConsole: ConsoleProcess
let analystConsole: ConsoleProcess
let admin: Page
let analyst: Page

const RULE = 'E2E_BIG_AT_WATCHED_MERCHANT'
const MERCHANT = 'E2E-WATCHED-MERCHANT'
const trpc = <T>(path: string, input: unknown, token: string, method: 'GET' | 'POST' = 'POST'): Promise<T> =>
  serverCall<T>(server.url, path, input, token, method)
const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) })

/** The Rules view, on its Rules tab (Shift+R, then 1). */
async function openRules(page: Page): Promise<void> {
  await page.keyboard.press('R')
  await expect.poll(() => page.getByTestId('rules-view').count()).toBe(1)
  await page.keyboard.press('1')
  await expect.poll(() => page.getByTestId('rules-in-force').count(), { timeout: 30_000 }).toBe(1)
}

describe('an admin writes, backtests and publishes a rule; an analyst drafts, in Chromium', () => {
  let analystToken: string
  beforeAll(async () => {
    assertChromium()
    ensureRendererBuilt()
    mkdirSync(SCREENSHOT_DIR, { recursive: true })
    server = await startServerProcess({ seed: false })
    const items = [...generateTransactions({ seed: 21, customers: 30, terminals: 60, days: 10, startDate: '2026-01-01' })]
    for (let i = 0; i < items.length; i += 1_000) {
      await trpc('ingest.transactions', { transactions: items.slice(i, i + 1_000).map((g) => g.transaction) }, server.token)
    }
    analystToken = (await trpc<{ token: string }>('members.add', { name: 'Asha Rao', role: 'analyst' }, server.token)).token
    adminConsole = await startConsole()
    analystConsole = await startConsole()
    ;({ browser, close: closeBrowser } = await launchChromium())
    await coreResult(adminConsole, 'session.signIn', { serverUrl: server.url, token: server.token })
    await coreResult(adminConsole, 'sync.now', {})
    await coreResult(analystConsole, 'session.signIn', { serverUrl: server.url, token: analystToken })
    await coreResult(analystConsole, 'sync.now', {})
    admin = await adminConsole.newPage(browser, { viewport: { width: 1440, height: 900 } })
    analyst = await analystConsole.newPage(browser, { viewport: { width: 1440, height: 900 } })
  }, 300_000)
  afterAll(async () => {
    await closeBrowser?.()
    await adminConsole?.stop()
    await analystConsole?.stop()
    await server?.stop()
  })

  it('shows a syntax error at its line and column as the admin types, and saves the fixed rule', async () => {
    await openRules(admin)
    await expect.poll(() => admin.getByTestId('rules-in-force').getAttribute('data-version')).toBe('0')
    await shot(admin, 'rules-e2e-list')
    await admin.keyboard.press('n')
    await expect.poll(() => admin.getByTestId('rule-editor').count()).toBe(1)
    await admin.getByLabel('Rule name').fill(RULE)
    await admin.getByLabel('Rule mode').selectOption('ACTIVE')
    await admin.getByLabel('Severity floor').selectOption('HIGH')
    // Line 2 is missing the comparison's right side: the error points at its end.
    await admin.getByTestId('rule-expression').fill(`merchant_id == "${MERCHANT}"\nand amount >`)
    const error = admin.getByTestId('rule-error').first()
    await expect.poll(() => error.getAttribute('data-line'), { timeout: 10_000 }).toBe('2')
    expect(Number(await error.getAttribute('data-column'))).toBeGreaterThanOrEqual(12)
    expect(await error.textContent()).toMatch(/^line 2, column \d+:/)
    expect(await admin.locator('.rule-caret-mark').first().textContent()).toMatch(/^ {11,}\^+$/)
    await shot(admin, 'rules-e2e-editor-error')
    await admin.getByTestId('rule-expression').fill(`merchant_id == "${MERCHANT}"\nand amount > 9000`)
    await expect.poll(() => admin.getByTestId('rule-check').getAttribute('data-state'), { timeout: 10_000 }).toBe('ok')
    await admin.getByTestId('rule-expression').focus()
    await admin.keyboard.press('Control+s')
    await expect.poll(() => admin.locator(`[data-testid="rule-row"][data-rule="${RULE}"]`).getAttribute('data-state'), { timeout: 15_000 }).toBe('new')
  })

  it('backtests the drafts on the server and shows the figures and the chart', async () => {
    await admin.getByTestId('rule-backtest').click()
    await expect.poll(() => admin.getByTestId('backtest-panel').getAttribute('data-status'), { timeout: 120_000 }).toBe('done')
    const row = admin.locator(`[data-testid="backtest-rule"][data-rule="${RULE}"]`)
    // Nothing at the watched merchant yet: the rule's backtest hits are 0; the set's row is there too.
    expect(await row.getByTestId('backtest-hits').textContent()).toBe('0')
    expect(await admin.locator('[data-testid="backtest-rule"][data-rule="(all rules)"]').count()).toBe(1)
    await expect.poll(() => admin.getByTestId('backtest-chart').locator('.recharts-bar-rectangle, .recharts-line-curve').count()).toBeGreaterThan(0)
    expect(await admin.getByTestId('backtest-chart').locator('.recharts-legend-item').count()).toBe(2)
    await admin.getByTestId('backtest-chart').scrollIntoViewIfNeeded()
    await shot(admin, 'rules-e2e-backtest')
  })

  it('publishes the drafts with a comment, confirming the budget warning if the server asks', async () => {
    await admin.keyboard.press('Escape')
    await admin.keyboard.press('Escape')
    await admin.keyboard.press('P')
    await expect.poll(() => admin.getByTestId('publish-dialog').count()).toBe(1)
    await admin.getByLabel('Publish comment').fill('Watch big payments at the e2e merchant')
    await admin.getByTestId('publish-dialog-confirm').click()
    // Either published at once, or the server asks first (over budget): then publish anyway.
    await expect
      .poll(async () => (await admin.getByTestId('publish-dialog').count()) === 0 || (await admin.getByTestId('publish-warning').count()) === 1, {
        timeout: 15_000,
      })
      .toBe(true)
    if ((await admin.getByTestId('publish-warning').count()) === 1) {
      expect(await admin.getByTestId('publish-warning').textContent()).toMatch(/budget is \d/)
      await admin.getByTestId('publish-dialog-confirm').click()
    }
    await expect.poll(() => admin.getByTestId('rules-in-force').getAttribute('data-version'), { timeout: 15_000 }).toBe('1')
    expect(await admin.getByTestId('rules-in-force').textContent()).toContain('Watch big payments at the e2e merchant')
    await admin.keyboard.press('2')
    await expect.poll(() => admin.locator(`[data-testid="diff-rule"][data-rule="${RULE}"]`).getAttribute('data-change'), { timeout: 15_000 }).toBe('added')
    await shot(admin, 'rules-e2e-history')
  })

  it('ingested transactions the rule catches sync back as alerts carrying the rule', async () => {
    const at = Date.parse('2026-01-11T12:00:00Z')
    const transactions = [0, 1, 2].map((i) => ({
      txId: `e2e-rule-${i}`,
      timestamp: at + i * 60_000,
      amount: 9_500 + i,
      accountId: `E2E-ACC-${i}`,
      merchantId: MERCHANT,
    }))
    await trpc('ingest.transactions', { transactions }, server.token)
    await coreResult(adminConsole, 'sync.now', {})
    await expect
      .poll(
        async () => {
          await coreResult(adminConsole, 'sync.now', {})
          const head = await coreResult<{ rows: { merchantId: string; rules: string[] }[] }>(adminConsole, 'queue.head', {
            filters: { rule: RULE },
            sort: 'time',
            size: 50,
          })
          return head.rows.filter((r) => r.merchantId === MERCHANT && r.rules.includes(RULE)).length
        },
        { timeout: 60_000, interval: 1_000 },
      )
      .toBe(3)
    // (The queue's rules column renders these rows' `rules`; finding the three among the
    // seeded alerts on screen needs the queue's rule filter, which this test does not drive yet.)
  })

  it('an analyst can draft, but Publish is off and says why', async () => {
    await expect.poll(() => analyst.getByTestId('account-person').textContent(), { timeout: 30_000 }).toBe('Asha Rao')
    await openRules(analyst)
    const publish = analyst.getByTestId('rules-publish')
    expect(await publish.isDisabled()).toBe(true)
    expect(await publish.getAttribute('title')).toMatch(/admin/i)
    expect(await analyst.getByTestId('role-note').textContent()).toMatch(/admin/i)
    await analyst.keyboard.press('n')
    await analyst.getByLabel('Rule name').fill('ANALYST_DRAFT')
    await analyst.getByTestId('rule-expression').fill('amount > 50000')
    await expect.poll(() => analyst.getByTestId('rule-check').getAttribute('data-state'), { timeout: 10_000 }).toBe('ok')
    await analyst.getByTestId('rule-save').click()
    await expect.poll(() => analyst.locator('[data-testid="rule-row"][data-rule="ANALYST_DRAFT"]').count(), { timeout: 15_000 }).toBe(1)
    await shot(analyst, 'rules-e2e-analyst')
  })

  it('lists: the admin creates an allow list, adds an entry and imports a CSV (imported, already listed, bad lines by number)', async () => {
    await admin
      .getByRole('navigation', { name: 'Views' })
      .getByRole('button', { name: /^Rules/ })
      .click()
    await expect.poll(() => admin.getByTestId('rules-view').count()).toBe(1)
    await admin.keyboard.press('3')
    await expect.poll(() => admin.getByTestId('rule-lists').count(), { timeout: 15_000 }).toBe(1)
    await admin.keyboard.press('n')
    await admin.getByLabel('List name').fill('e2e payroll')
    await admin.getByTestId('list-create').click()
    await expect.poll(() => admin.getByTestId('list-entries').getAttribute('data-list'), { timeout: 15_000 }).toBe('e2e payroll')
    await admin.getByLabel('New entry value').fill('PAYROLL-1')
    await admin.getByTestId('list-add-entry').click()
    await expect.poll(() => admin.locator('[data-testid="list-entry"][data-value="PAYROLL-1"]').count(), { timeout: 15_000 }).toBe(1)
    await admin.locator('.list-import summary').click()
    await admin.getByLabel('CSV text').fill('value,reason\nPAYROLL-1,again\nPAYROLL-2,salary\n,empty value')
    await admin.getByTestId('list-import-run').click()
    const result = admin.getByTestId('list-import-result')
    await expect.poll(() => result.textContent(), { timeout: 15_000 }).toMatch(/^1 imported, 1 already listed\./)
    expect(await result.textContent()).toMatch(/Line 4: /)
    await expect.poll(() => admin.getByTestId('list-entries-count').textContent()).toBe('1–2 of 2')
    await shot(admin, 'rules-e2e-lists')
  })
})
