import { randomUUID } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateTransactions } from '@anomalyze/shared/engine'
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
 * Two analysts decide the same alert (issue #19, team decisions), against a real
 * local-mode server: Priya decides first, from her own console (here her pushes go
 * straight to the server's sync.push, as her console would send them); Rahul, whose
 * console pulled before she decided, decides differently, syncs, and sees on the alert
 * that Priya's decision stands, with who, what, when and her note, while his is kept in
 * the history. As a viewer he cannot reopen it; as an analyst he reopens it with a note,
 * which applies, and the history lists all three with his reopen in force.
 */
let browser: Browser
let closeBrowser: () => Promise<void>
let consoleApp: ConsoleProcess
let server: ServerProcess
let page: Page
let priya: { userId: string; token: string }
let rahul: { userId: string; token: string }
let alertId: string

interface HistoryEntry {
  mutationId: string
  label: string
  note: string | null
  decidedBy: string
  inForce: boolean
}

const trpc = <T>(path: string, input: unknown, token: string, method: 'GET' | 'POST' = 'POST'): Promise<T> =>
  serverCall<T>(server.url, path, input, token, method)

const core = <T>(method: string, args: unknown): Promise<T> => coreResult<T>(consoleApp, method, args)

const detail = () => page.getByTestId('detail-pane')

/** The queue with only the alerts where a colleague overruled this analyst, and the one alert's detail open. */
async function openOverruled(): Promise<void> {
  await page.keyboard.press('1')
  await page.getByRole('button', { name: 'Overruled by a colleague' }).click()
  await expect.poll(() => page.getByTestId('queue-count').textContent(), { timeout: 30_000 }).toBe('1 anomaly')
  await expect.poll(() => page.locator('.queue-row[aria-rowindex="1"]').getAttribute('data-anomaly-id')).toBe(alertId)
  await page.locator('.queue-row[aria-rowindex="1"]').click()
  await page.keyboard.press('Enter')
  await expect.poll(() => detail().getAttribute('data-anomaly-id')).toBe(alertId)
}

describe('two analysts decide the same alert, in Chromium', () => {
  beforeAll(async () => {
    assertChromium()
    ensureRendererBuilt()
    mkdirSync(SCREENSHOT_DIR, { recursive: true })
    server = await startServerProcess({ seed: false })
    const items = [...generateTransactions({ seed: 11, customers: 30, terminals: 60, days: 10, startDate: '2026-01-01' })]
    for (let i = 0; i < items.length; i += 1_000) {
      await trpc('ingest.transactions', { transactions: items.slice(i, i + 1_000).map((g) => g.transaction) }, server.token)
    }
    const add = async (name: string) => {
      const added = await trpc<{ member: { userId: string }; token: string }>('members.add', { name, role: 'analyst' }, server.token)
      return { userId: added.member.userId, token: added.token }
    }
    priya = await add('Priya Sharma')
    rahul = await add('Rahul Verma')
    consoleApp = await startConsole()
    ;({ browser, close: closeBrowser } = await launchChromium())
    // Rahul's console pulls the queue while every alert is still undecided.
    await core('session.signIn', { serverUrl: server.url, token: rahul.token })
    await core('sync.now', {})
    page = await consoleApp.newPage(browser, { viewport: { width: 1440, height: 900 } })
  })
  afterAll(async () => {
    await closeBrowser?.()
    await consoleApp?.stop()
    await server?.stop()
  })

  it('Rahul decides an alert Priya decided after his last pull: hers stands, he is told who, what and when, his is kept', async () => {
    await expect.poll(() => page.getByTestId('account-person').textContent()).toBe('Rahul Verma')
    await page.keyboard.press('1')
    await expect.poll(() => page.getByTestId('queue-count').textContent(), { timeout: 30_000 }).toMatch(/^[1-9][\d,]* anomal(y|ies)$/)
    await expect.poll(() => page.locator('.queue-row[aria-rowindex="1"]').getAttribute('data-anomaly-id')).toMatch(/\S/)
    await page.locator('.queue-row[aria-rowindex="1"]').click()
    await page.keyboard.press('Enter')
    alertId = (await detail().getAttribute('data-anomaly-id')) ?? ''
    expect(alertId).not.toBe('')
    expect(await page.getByTestId('detail-status').textContent()).toBe('Open')

    // Priya decides it first, from her console (based on nothing: she saw it undecided).
    const pushed = await trpc<{ results: Array<{ outcome: string }> }>(
      'sync.push',
      {
        decisions: [
          { mutationId: randomUUID(), anomalyId: alertId, label: 'CONFIRMED_FRAUD', note: 'card testing pattern', decidedAt: Date.now(), basedOn: null },
        ],
      },
      priya.token,
    )
    expect(pushed.results[0]?.outcome).toBe('applied')

    // Rahul, who still sees it open, calls it a false positive and syncs.
    await detail()
      .getByRole('button', { name: /False positive/ })
      .click()
    await expect.poll(async () => (await core<{ pending: number }>('sync.status', {})).pending).toBe(1)
    await page.getByRole('button', { name: 'Sync now' }).click()
    await expect.poll(() => page.getByTestId('conflict-count').textContent(), { timeout: 30_000 }).toBe("1 decision overruled by a colleague's")
    expect((await core<{ pending: number }>('sync.status', {})).pending).toBe(0)

    await openOverruled()
    const notice = detail().getByTestId('conflict-notice')
    await expect.poll(() => notice.count()).toBe(1)
    expect(await notice.getByTestId('conflict-text').textContent()).toMatch(
      /^Priya Sharma decided Confirmed fraud at (\d{4}-\d\d-\d\d )?\d\d:\d\d UTC \(note “card testing pattern”\); your decision False positive is kept in the history\.$/,
    )
    expect(await page.getByTestId('detail-status').textContent()).toBe('Fraud')
    // The history already has both, newest first: his superseded, hers in force.
    const entries = detail().getByTestId('history-entry')
    await expect.poll(() => entries.count()).toBe(2)
    expect(await entries.evaluateAll((els) => els.map((el) => [el.textContent, el.getAttribute('data-in-force')]))).toEqual([
      [expect.stringMatching(/^SupersededFalse positive by Rahul Verma/), 'false'],
      [expect.stringMatching(/^In forceConfirmed fraud by Priya Sharma.*card testing pattern$/), 'true'],
    ])
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'team-decisions-conflict.png') })
  })

  it('as a viewer Rahul cannot reopen it; as an analyst he reopens it with a note, which applies, and the history shows all three', async () => {
    // Made a viewer meanwhile: the reopen control is off, with the reason.
    await trpc('members.changeRole', { userId: rahul.userId, role: 'viewer' }, server.token)
    await page.reload()
    await expect.poll(() => page.getByTestId('account-role').textContent()).toBe('viewer')
    await openOverruled()
    const reopenButton = detail().getByRole('button', { name: 'Reopen with a note' })
    await expect.poll(() => reopenButton.isDisabled()).toBe(true)
    expect(await reopenButton.getAttribute('title')).toBe('Viewers can read; deciding needs the analyst role')
    expect(await detail().getByTestId('conflict-notice').getByTestId('role-note').textContent()).toBe('Viewers can read; deciding needs the analyst role')

    await trpc('members.changeRole', { userId: rahul.userId, role: 'analyst' }, server.token)
    await page.reload()
    await expect.poll(() => page.getByTestId('account-role').textContent()).toBe('analyst')
    await openOverruled()
    await expect.poll(() => reopenButton.isDisabled()).toBe(false)
    await reopenButton.click()
    const form = detail().getByRole('form', { name: 'Reopen with a note' })
    // A note is required: the button stays off until there is one.
    const submit = form.getByRole('button', { name: 'Reopen', exact: true })
    expect(await submit.isDisabled()).toBe(true)
    expect(await form.getByLabel('Reopen as').inputValue()).toBe('FALSE_POSITIVE')
    await form.getByLabel('Reopen as').selectOption('NEEDS_REVIEW')
    await form.getByLabel('Why reopen').fill('Merchant confirmed the charges; needs a second look')
    expect(await submit.isDisabled()).toBe(false)
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'team-decisions-reopen.png') })
    await submit.click()

    // Sent at once, based on Priya's decision: it applies, the notice goes, the history has all three.
    await expect.poll(() => detail().getByTestId('conflict-notice').count(), { timeout: 30_000 }).toBe(0)
    const entries = detail().getByTestId('history-entry')
    await expect.poll(() => entries.count(), { timeout: 30_000 }).toBe(3)
    expect(await entries.evaluateAll((els) => els.map((el) => [el.textContent, el.getAttribute('data-in-force')]))).toEqual([
      [expect.stringMatching(/^In forceNeeds review by Rahul Verma.*Merchant confirmed the charges; needs a second look$/), 'true'],
      [expect.stringMatching(/^SupersededFalse positive by Rahul Verma/), 'false'],
      [expect.stringMatching(/^SupersededConfirmed fraud by Priya Sharma.*card testing pattern$/), 'false'],
    ])
    await expect.poll(() => page.getByTestId('detail-status').textContent()).toBe('Needs review')
    expect(await page.getByTestId('conflict-count').count()).toBe(0)
    await detail().getByTestId('decision-history').scrollIntoViewIfNeeded()
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'team-decisions-history.png') })

    // The server agrees: Rahul's reopen is in force, both earlier decisions are kept.
    const history = await trpc<HistoryEntry[]>('anomalies.history', { id: alertId }, server.token, 'GET')
    expect(history.map((e) => [e.decidedBy, e.label, e.note, e.inForce])).toEqual([
      ['Rahul Verma', 'NEEDS_REVIEW', 'Merchant confirmed the charges; needs a second look', true],
      ['Rahul Verma', 'FALSE_POSITIVE', null, false],
      ['Priya Sharma', 'CONFIRMED_FRAUD', 'card testing pattern', false],
    ])
    const anomaly = await trpc<{ status: string }>('anomalies.get', { id: alertId }, server.token, 'GET')
    expect(anomaly.status).toBe('NEEDS_REVIEW')
  })
})
