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
  startSwitchableProxy,
  type ConsoleProcess,
  type ServerProcess,
  type SwitchableProxy,
} from './harness.ts'

/**
 * Two analysts work one case (issue #20), each on their own console against a real
 * local-mode server. Asha claims a case and comments; Bala, whose console has lost the
 * server (a proxy between them is switched off), claims the same case and comments
 * too. Back online, Bala's sync is told Asha holds the case, and his comment is on the
 * case's timeline for both. Asha closes the case as fraud (confirming how many alerts
 * it decides) and its alerts read decided; the entity view shows the account's
 * transactions from the server.
 */
let browser: Browser
let closeBrowser: () => Promise<void>
let server: ServerProcess
let proxy: SwitchableProxy
let ashaConsole: ConsoleProcess
let balaConsole: ConsoleProcess
let asha: Page
let bala: Page
let caseId: string
let comment: string

const trpc = <T>(path: string, input: unknown, token: string, method: 'GET' | 'POST' = 'POST'): Promise<T> =>
  serverCall<T>(server.url, path, input, token, method)

interface ServerCase {
  case: { status: string; assignee: { name: string } | null; entityType: string; entityId: string; openAlertCount: number; alertCount: number }
  events: Array<{ kind: string; actorName: string; data: Record<string, unknown> | null }>
  anomalyIds: string[]
}

/** Waits (outside a test, where expect.poll is not allowed) until the check holds, up to 60 s. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 240; i += 1) {
    if (await check().catch(() => false)) return
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`timed out waiting for ${what}`)
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) })

/** The Cases view on a queue tab, with the test's case open in the detail. */
async function openTheCase(page: Page, tab: '1' | '2' | '5'): Promise<void> {
  await page.keyboard.press('C')
  await expect.poll(() => page.getByTestId('cases-view').count()).toBe(1)
  await page.keyboard.press(tab)
  const row = page.locator(`[data-testid="case-row"][data-case-id="${caseId}"]`)
  await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(1)
  await row.dblclick()
  await expect.poll(() => page.getByTestId('case-detail').getAttribute('data-case-id')).toBe(caseId)
}

async function postComment(page: Page, text: string): Promise<void> {
  await page.keyboard.press('m')
  // (A page script as a string: this file is type-checked without the DOM library.)
  await expect.poll(() => page.evaluate<string | null>("document.activeElement?.getAttribute('aria-label') ?? null")).toBe('Comment text')
  await page.keyboard.type(text)
  await page.keyboard.press('Control+Enter')
  await expect.poll(() => page.getByLabel('Comment text').inputValue()).toBe('')
}

const timelineTexts = (page: Page) =>
  page.getByTestId('timeline-entry').evaluateAll((els) => els.map((el) => [el.getAttribute('data-kind'), el.textContent ?? '']))

describe('two analysts work a case, one of them offline, in Chromium', () => {
  let ashaToken: string
  let balaToken: string
  beforeAll(async () => {
    assertChromium()
    ensureRendererBuilt()
    mkdirSync(SCREENSHOT_DIR, { recursive: true })
    server = await startServerProcess({ seed: false })
    const items = [...generateTransactions({ seed: 20, customers: 30, terminals: 60, days: 10, startDate: '2026-01-01' })]
    for (let i = 0; i < items.length; i += 1_000) {
      await trpc('ingest.transactions', { transactions: items.slice(i, i + 1_000).map((g) => g.transaction) }, server.token)
    }
    // Alerts reach their cases as ingestion commits: wait until the server has cases to sync.
    await until(
      async () => (await trpc<{ items: unknown[] }>('cases.list', { queue: 'unassigned' }, server.token, 'GET')).items.length > 0,
      'cases on the server',
    )
    const add = async (name: string): Promise<string> => (await trpc<{ token: string }>('members.add', { name, role: 'analyst' }, server.token)).token
    ashaToken = await add('Asha Rao')
    balaToken = await add('Bala Iyer')
    proxy = await startSwitchableProxy(server.url)
    ashaConsole = await startConsole()
    balaConsole = await startConsole()
    ;({ browser, close: closeBrowser } = await launchChromium())
    await coreResult(ashaConsole, 'session.signIn', { serverUrl: server.url, token: ashaToken })
    await coreResult(ashaConsole, 'sync.now', {})
    // Bala's console reaches the server only through the proxy the test switches off.
    await coreResult(balaConsole, 'session.signIn', { serverUrl: proxy.url, token: balaToken })
    await coreResult(balaConsole, 'sync.now', {})
    asha = await ashaConsole.newPage(browser, { viewport: { width: 1440, height: 900 } })
    bala = await balaConsole.newPage(browser, { viewport: { width: 1440, height: 900 } })
    await until(async () => (await bala.getByTestId('account-person').textContent()) === 'Bala Iyer', "Bala's console signed in")
    // Bala loses the server now, before Asha acts: his console keeps what it pulled.
    proxy.setOnline(false)
  })
  afterAll(async () => {
    await closeBrowser?.()
    await ashaConsole?.stop()
    await balaConsole?.stop()
    await proxy?.stop()
    await server?.stop()
  })

  it('ingestion opened cases; Asha claims one from Unassigned and comments', async () => {
    await expect.poll(() => asha.getByTestId('account-person').textContent()).toBe('Asha Rao')
    await asha.keyboard.press('C')
    // The Cases view is its own chunk: its keys (1-5: queues) work once it is on screen.
    await expect.poll(() => asha.getByTestId('cases-view').count()).toBe(1)
    await asha.keyboard.press('2')
    await expect.poll(() => asha.getByTestId('case-count').textContent(), { timeout: 30_000 }).toMatch(/^[1-9][\d,]* cases?$/)
    const unassigned = Number((await asha.getByTestId('case-tab-unassigned').locator('.tab-count').textContent())?.replace(/\D/g, ''))
    expect(unassigned).toBeGreaterThan(0)
    await shot(asha, 'cases-unassigned')
    caseId = (await asha.locator('[data-testid="case-row"][aria-rowindex="1"]').getAttribute('data-case-id')) ?? ''
    expect(caseId).not.toBe('')
    await asha.keyboard.press('Enter')
    await expect.poll(() => asha.getByTestId('case-detail').getAttribute('data-case-id')).toBe(caseId)
    expect(await asha.getByTestId('case-assignee').textContent()).toBe('Unassigned')

    await asha.keyboard.press('c')
    await expect.poll(() => asha.getByTestId('case-assignee').textContent(), { timeout: 30_000 }).toBe('Assigned to Asha Rao (you)')
    await postComment(asha, 'Card testing pattern at two merchants; calling the customer')
    await coreResult(ashaConsole, 'sync.now', {})
    const onServer = await trpc<ServerCase>('cases.get', { id: caseId }, ashaToken, 'GET')
    expect(onServer.case.assignee?.name).toBe('Asha Rao')
    expect(onServer.events.filter((e) => e.kind === 'comment').map((e) => [e.actorName, e.data?.['text']])).toEqual([
      ['Asha Rao', 'Card testing pattern at two merchants; calling the customer'],
    ])
    // My cases now holds it.
    await asha.keyboard.press('Escape')
    await asha.keyboard.press('1')
    await expect.poll(() => asha.locator(`[data-testid="case-row"][data-case-id="${caseId}"]`).count(), { timeout: 30_000 }).toBe(1)
  })

  it('a case notice link (#/cases/<id>, the browser form of anomalyze://case/<id>) opens the case in Cases, queue All', async () => {
    // From the queue, as the link would find a console left on its first screen.
    await asha.getByRole('button', { name: /^Queue/ }).click()
    await expect.poll(() => asha.getByTestId('cases-view').count()).toBe(0)
    await asha.goto(`${ashaConsole.url}/#/cases/${caseId}`)
    await expect.poll(() => asha.getByTestId('case-detail').getAttribute('data-case-id'), { timeout: 30_000 }).toBe(caseId)
    expect(await asha.getByTestId('case-tab-all').getAttribute('aria-selected')).toBe('true')
    await expect.poll(() => asha.locator(`[data-testid="case-row"][data-case-id="${caseId}"]`).count(), { timeout: 30_000 }).toBe(1)
    expect(await asha.getByTestId('case-assignee').textContent()).toBe('Assigned to Asha Rao (you)')
    // The address is cleared, so the same link can be opened again.
    expect(new URL(asha.url()).hash).toBe('')
    await shot(asha, 'case-link-opened')

    // A case this console has not pulled: it says so, and what to do.
    await asha.evaluate("window.location.hash = '#/cases/not-in-this-cache'")
    await expect
      .poll(() => asha.getByTestId('deep-link-message').textContent())
      .toContain("The linked case not-in-this-cache is not in this console's cache. To open it, sync with the server that sent the case notice")
    await shot(asha, 'case-link-not-cached')
    await asha.getByTestId('deep-link-message').getByRole('button', { name: 'Dismiss' }).click()
    await asha.keyboard.press('Escape')
    await expect.poll(() => asha.getByTestId('case-detail').count()).toBe(0)
  })

  it('Bala, offline, claims the same case and comments: both wait, marked "not synced yet"', async () => {
    // His console still shows the case unassigned: it pulled before Asha claimed it.
    await openTheCase(bala, '2')
    expect(await bala.getByTestId('case-assignee').textContent()).toBe('Unassigned')
    await bala.keyboard.press('c')
    comment = 'Saw this merchant in last week’s chargebacks too'
    await postComment(bala, comment)
    await expect.poll(() => bala.getByTestId('timeline-pending').count(), { timeout: 30_000 }).toBe(2)
    const pending = await bala.locator('[data-testid="timeline-entry"].is-pending').evaluateAll((els) => els.map((el) => el.getAttribute('data-kind')))
    expect(pending).toEqual(['assigned', 'comment'])
    await shot(bala, 'cases-offline-pending')
  })

  it('back online, Bala syncs: told Asha holds the case, his refused claim and his comment stay on the timeline', async () => {
    proxy.setOnline(true)
    await bala.getByRole('button', { name: 'Sync now' }).click()
    const notice = bala.getByTestId('case-conflict')
    await expect.poll(() => notice.count(), { timeout: 60_000 }).toBe(1)
    // The server serves a case to pulls once its last change has settled (a second):
    // the push just changed it, so a later sync brings its timeline, and with Asha's
    // claim on it the notice says since when.
    await expect
      .poll(
        async () => {
          await coreResult(balaConsole, 'sync.now', {})
          return notice.textContent()
        },
        { timeout: 30_000, interval: 1_500 },
      )
      .toMatch(/^Asha Rao holds this case since (\d{4}-\d\d-\d\d )?\d\d:\d\d UTC — your claim was not applied$/)
    await expect.poll(() => bala.getByTestId('case-assignee').textContent(), { timeout: 30_000 }).toBe('Assigned to Asha Rao')
    await expect.poll(() => bala.getByTestId('timeline-pending').count(), { timeout: 30_000 }).toBe(0)
    const lines = await timelineTexts(bala)
    expect(lines.filter(([kind]) => kind === 'claim_refused').map(([, text]) => text)).toEqual([
      expect.stringMatching(/^Bala Iyer tried to claim the case; not applied: Asha Rao held it/),
    ])
    expect(lines.filter(([kind]) => kind === 'comment').map(([, text]) => text)).toEqual([
      expect.stringMatching(/^Asha Rao commented.*Card testing pattern at two merchants; calling the customer$/),
      expect.stringMatching(new RegExp(`^Bala Iyer commented.*${comment}$`)),
    ])
    await shot(bala, 'cases-conflict')

    // Asha's console gets his comment with a sync after his sync's changes settled (a second).
    await openTheCase(asha, '1')
    await expect
      .poll(
        async () => {
          await coreResult(ashaConsole, 'sync.now', {})
          return (await timelineTexts(asha)).filter(([kind]) => kind === 'comment').length
        },
        { timeout: 30_000, interval: 1_500 },
      )
      .toBe(2)
    expect((await timelineTexts(asha)).some(([kind, text]) => kind === 'comment' && text.startsWith('Bala Iyer commented') && text.endsWith(comment))).toBe(
      true,
    )
  })

  it('Asha closes the case as fraud, confirming how many alerts it decides; its alerts read decided', async () => {
    const before = await trpc<ServerCase>('cases.get', { id: caseId }, ashaToken, 'GET')
    const open = before.case.openAlertCount
    expect(open).toBeGreaterThan(0)
    await asha.keyboard.press('F')
    const dialog = asha.getByRole('dialog', { name: 'Close as fraud' })
    await expect.poll(() => dialog.count()).toBe(1)
    expect(await dialog.getByTestId('close-dialog-text').textContent()).toBe(`This decides ${open} open ${open === 1 ? 'alert' : 'alerts'} as confirmed fraud.`)
    await dialog.getByLabel('Closing note').fill('Customer confirmed the card was stolen')
    await shot(asha, 'cases-close-confirm')
    await dialog.getByTestId('close-confirm').click()
    await expect.poll(() => asha.getByRole('dialog').count()).toBe(0)
    await expect.poll(() => asha.getByTestId('case-status').textContent(), { timeout: 30_000 }).toMatch(/^Closed: fraud/)
    await coreResult(ashaConsole, 'sync.now', {})
    await expect.poll(() => asha.getByTestId('case-status').textContent(), { timeout: 30_000 }).toBe('Closed: fraud')
    const statuses = await asha.getByTestId('case-alert-status').allTextContents()
    expect(statuses.length).toBe(before.case.alertCount)
    expect(statuses.every((s) => s === 'Fraud' || s === 'False positive')).toBe(true)
    expect(statuses.filter((s) => s === 'Fraud').length).toBeGreaterThanOrEqual(open)
    // The close's line, synced (not pending): a sync after the change settled brings it.
    await expect
      .poll(
        async () => {
          await coreResult(ashaConsole, 'sync.now', {})
          return (await timelineTexts(asha)).filter(([kind]) => kind === 'closed').map(([, text]) => text)
        },
        { timeout: 30_000, interval: 1_500 },
      )
      .toEqual([
        expect.stringMatching(new RegExp(`^Asha Rao closed the case as fraud, deciding ${open} open alerts?.*Customer confirmed the card was stolen$`)),
      ])
    expect(await asha.getByTestId('timeline-pending').count()).toBe(0)
    await shot(asha, 'cases-closed')

    const after = await trpc<ServerCase>('cases.get', { id: caseId }, ashaToken, 'GET')
    expect(after.case.status).toBe('CLOSED_FRAUD')
    expect(after.case.openAlertCount).toBe(0)
    for (const id of after.anomalyIds) {
      const anomaly = await trpc<{ status: string }>('anomalies.get', { id }, ashaToken, 'GET')
      expect(['CONFIRMED_FRAUD', 'FALSE_POSITIVE']).toContain(anomaly.status)
    }
  })

  it('the entity view opens from the case (v) with the transaction history from the server', async () => {
    const theCase = await trpc<ServerCase>('cases.get', { id: caseId }, ashaToken, 'GET')
    const fromServer = await trpc<{ total: number; items: Array<{ id: string }> }>(
      'entities.transactions',
      { type: theCase.case.entityType, id: theCase.case.entityId, limit: 200 },
      ashaToken,
      'GET',
    )
    expect(fromServer.total).toBeGreaterThan(0)
    await asha.keyboard.press('v')
    const view = asha.getByTestId('entity-view')
    await expect.poll(() => view.getAttribute('data-entity-id'), { timeout: 30_000 }).toBe(theCase.case.entityId)
    await expect
      .poll(() => asha.getByTestId('entity-tx-count').textContent(), { timeout: 30_000 })
      .toBe(`${Math.min(200, fromServer.total).toLocaleString('en-US')} of ${fromServer.total.toLocaleString('en-US')} transactions`)
    expect(await asha.getByTestId('entity-tx').count()).toBe(Math.min(200, fromServer.total))
    expect(await asha.getByTestId('entity-offline').count()).toBe(0)
    expect(await asha.getByTestId('entity-chart').locator('circle').count()).toBe(Math.min(200, fromServer.total))
    await shot(asha, 'entity-view')
    await asha.keyboard.press('Escape')
    await expect.poll(() => asha.getByTestId('entity-view').count()).toBe(0)
    expect(await asha.getByTestId('case-detail').getAttribute('data-case-id')).toBe(caseId)
  })

  it('Asha exports the closed fraud cases with their timelines from Reports', async () => {
    await asha.getByRole('button', { name: /^Reports/ }).click()
    await expect.poll(() => asha.getByTestId('reports-view').count(), { timeout: 30_000 }).toBe(1)
    await asha.getByLabel('Report type').selectOption('CASES')
    expect(await asha.getByLabel('Account').count()).toBe(0)
    await asha.getByRole('checkbox', { name: 'Closed: fraud', exact: true }).check()
    await asha.getByRole('button', { name: 'Create report' }).click()
    const row = asha.getByTestId('report-row').first()
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 60_000 }).toBe('COMPLETED')
    expect(await row.textContent()).toContain('Cases with timelines')
  })

  it('the overview shows the team metrics; Members shows case settings; ? lists the case keys', async () => {
    // Inside Cases, 1-5 switch its queues: the other views are a click (or 6-0) away.
    await asha.getByRole('button', { name: /^Overview/ }).click()
    await expect.poll(() => asha.getByTestId('team-metrics').count(), { timeout: 30_000 }).toBe(1)
    await expect.poll(() => asha.getByTestId('closed-per-analyst').textContent(), { timeout: 30_000 }).toContain('Asha Rao')
    await shot(asha, 'overview-team')
    await asha.keyboard.press('9')
    await expect.poll(() => asha.getByTestId('case-settings').count(), { timeout: 30_000 }).toBe(1)
    await expect.poll(() => asha.getByTestId('duty-row').count()).toBe(3)
    await shot(asha, 'members-case-settings')
    await asha.keyboard.press('C')
    await asha.keyboard.press('?')
    const overlay = asha.getByRole('dialog', { name: 'Keyboard shortcuts' })
    await expect.poll(() => overlay.count()).toBe(1)
    const text = (await overlay.textContent()) ?? ''
    for (const label of [
      'Claim the case',
      'Assign to a teammate',
      'Close as fraud',
      'Close as legitimate',
      'Open the entity view',
      'Back from the entity view',
      'My cases',
    ])
      expect(text).toContain(label)
    await shot(asha, 'shortcuts')
    await asha.keyboard.press('Escape')
    await expect.poll(() => overlay.count()).toBe(0)
  })
})
