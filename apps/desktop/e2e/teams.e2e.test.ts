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
 * One organisation, three people, one console (issue #19's browser test): against a
 * real local-mode server, the admin adds a viewer from the Members view (the token is
 * shown once) beside an analyst added through members.add; each then signs in on the
 * console with their own token. The analyst decides an alert and the server records
 * them as its decider; the viewer sees the decide controls off with the reason and no
 * member management; the admin sees the Members view with its controls and the
 * server's refusal to remove the last admin.
 */
let browser: Browser
let closeBrowser: () => Promise<void>
let consoleApp: ConsoleProcess
let server: ServerProcess
let page: Page
let analyst: { userId: string; token: string }
let viewerToken: string

const trpc = <T>(path: string, input: unknown, token: string, method: 'GET' | 'POST' = 'POST'): Promise<T> =>
  serverCall<T>(server.url, path, input, token, method)

const core = <T>(method: string, args: unknown): Promise<T> => coreResult<T>(consoleApp, method, args)

/** Through the page, as a person does: "Sign in as someone else", their token, sign in. */
async function signInAs(token: string): Promise<void> {
  await page.getByTestId('switch-person').click()
  await page.getByLabel('Token').fill(token)
  await page.getByRole('button', { name: 'Sign in and sync' }).click()
  await expect.poll(() => page.getByRole('form', { name: 'Sign in' }).count()).toBe(0)
  await core('sync.now', {})
}

async function openQueueDetail(): Promise<string> {
  await page.keyboard.press('1')
  await expect.poll(() => page.getByTestId('queue-count').textContent(), { timeout: 30_000 }).toMatch(/^[1-9][\d,]* anomal(y|ies)$/)
  await expect.poll(() => page.locator('.queue-row[aria-rowindex="1"]').getAttribute('data-anomaly-id')).toMatch(/\S/)
  await page.locator('.queue-row[aria-rowindex="1"]').click()
  await page.keyboard.press('Enter')
  await expect.poll(() => page.getByTestId('detail-pane').count()).toBe(1)
  return (await page.getByTestId('detail-pane').getAttribute('data-anomaly-id')) ?? ''
}

describe('a team of three in Chromium', () => {
  beforeAll(async () => {
    assertChromium()
    ensureRendererBuilt()
    mkdirSync(SCREENSHOT_DIR, { recursive: true })
    server = await startServerProcess({ seed: false })
    const items = [...generateTransactions({ seed: 7, customers: 30, terminals: 60, days: 10, startDate: '2026-01-01' })]
    for (let i = 0; i < items.length; i += 1_000) {
      await trpc('ingest.transactions', { transactions: items.slice(i, i + 1_000).map((g) => g.transaction) }, server.token)
    }
    const added = await trpc<{ member: { userId: string }; token: string }>('members.add', { name: 'Asha Analyst', role: 'analyst' }, server.token)
    analyst = { userId: added.member.userId, token: added.token }
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

  it('the admin sees who they are, adds a viewer (token shown once) and manages members', async () => {
    await expect.poll(() => page.getByTestId('account-role').textContent()).toBe('admin')
    await page.keyboard.press('9')
    await expect.poll(() => page.getByTestId('member-row').count()).toBe(2)
    expect(await page.getByTestId('role-note').count()).toBe(0)

    await page.getByLabel('Name').fill('Vikram Viewer')
    await page.getByLabel('Role', { exact: true }).selectOption('VIEWER')
    await page.getByRole('button', { name: 'Add member' }).click()
    await expect.poll(() => page.getByTestId('member-token').count()).toBe(1)
    expect(await page.getByTestId('member-token').textContent()).toContain('it will not be shown again')
    viewerToken = await page.getByTestId('member-token-value').inputValue()
    expect(viewerToken.length).toBeGreaterThan(20)
    await expect.poll(() => page.getByTestId('member-row').count()).toBe(3)
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'teams-members-admin.png') })
    await page.getByRole('button', { name: /I have copied it/ }).click()
    expect(await page.getByTestId('member-token').count()).toBe(0)

    // Removing the only admin (themselves): the dialog names them, the server says why not.
    const adminRow = page.getByTestId('member-row').filter({ hasText: '(you)' })
    await adminRow.getByRole('button', { name: /^Remove / }).click()
    const dialog = page.getByRole('dialog')
    expect(await dialog.getByRole('heading').textContent()).toMatch(/^Remove .+\?$/)
    await dialog.getByRole('button', { name: /^Remove / }).click()
    await expect.poll(() => page.getByTestId('remove-error').textContent()).toContain('Cannot remove the last admin')
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    await expect.poll(() => page.getByTestId('member-row').count()).toBe(3)
    await page.locator('header.top-bar').screenshot({ path: join(SCREENSHOT_DIR, 'teams-header-admin.png') })
  })

  it('the analyst signs in with their own token and decides an alert, recorded as theirs', async () => {
    await signInAs(analyst.token)
    await expect.poll(() => page.getByTestId('account-person').textContent()).toBe('Asha Analyst')
    expect(await page.getByTestId('account-role').textContent()).toBe('analyst')
    const id = await openQueueDetail()
    expect(await page.getByTestId('queue-read-only').count()).toBe(0)
    await page.getByRole('button', { name: /Confirm fraud/ }).click()
    await expect.poll(async () => (await core<{ status: string }>('anomaly.get', { id })).status).toBe('CONFIRMED_FRAUD')
    await expect.poll(async () => (await core<{ pending: number }>('sync.now', {})).pending).toBe(0)

    const trail = await trpc<{ items: Array<{ actor: string; action: string; entityId: string | null }> }>(
      'audit.list',
      { action: 'anomaly.' },
      server.token,
      'GET',
    )
    expect(trail.items.filter((row) => row.actor === analyst.userId && row.entityId === id)).not.toHaveLength(0)
    // An analyst does not manage members: the list without controls, and why.
    await page.keyboard.press('9')
    await expect.poll(() => page.getByTestId('member-row').count()).toBe(3)
    expect(await page.getByTestId('role-note').textContent()).toBe('Managing members needs the admin role; you are an analyst in ' + (await orgName()))
  })

  it('the viewer reads the queue with the decide controls off and the reason, and cannot manage members', async () => {
    await signInAs(viewerToken)
    await expect.poll(() => page.getByTestId('account-person').textContent()).toBe('Vikram Viewer')
    expect(await page.getByTestId('account-role').textContent()).toBe('viewer')
    const id = await openQueueDetail()
    const before = (await core<{ status: string }>('anomaly.get', { id })).status
    const actions = page.getByTestId('decide-actions').getByRole('button')
    expect(await actions.count()).toBe(3)
    for (const button of await actions.all()) {
      expect(await button.isDisabled()).toBe(true)
      expect(await button.getAttribute('title')).toBe('Viewers can read; deciding needs the analyst role')
    }
    expect(await page.getByTestId('detail-pane').getByTestId('role-note').textContent()).toBe('Viewers can read; deciding needs the analyst role')
    expect(await page.getByTestId('queue-read-only').count()).toBe(1)
    // The keyboard does not get round it.
    await page.keyboard.press('f')
    await expect.poll(() => page.getByTestId('toast').textContent()).toBe('Viewers can read; deciding needs the analyst role')
    expect((await core<{ status: string }>('anomaly.get', { id })).status).toBe(before)
    expect((await core<{ pending: number }>('sync.status', {})).pending).toBe(0)
    // The decide controls in view for the picture (the detail pane scrolls).
    await page.getByTestId('decide-actions').scrollIntoViewIfNeeded()
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'teams-queue-viewer.png') })

    await page.keyboard.press('9')
    await expect.poll(() => page.getByTestId('member-row').count()).toBe(3)
    expect(await page.getByTestId('role-note').textContent()).toBe('Viewers can read; managing members needs the admin role')
    expect(await page.getByRole('form', { name: 'Add a member' }).count()).toBe(0)
    expect(await page.getByRole('button', { name: /^Remove / }).count()).toBe(0)
    expect(await page.locator('select[aria-label^="Role of"]').count()).toBe(0)
    await page.locator('header.top-bar').screenshot({ path: join(SCREENSHOT_DIR, 'teams-header-viewer.png') })
    // The audit trail by person: only the analyst's rows, named.
    await page.keyboard.press('8')
    await expect.poll(() => page.getByTestId('audit-row').count()).toBeGreaterThan(0)
    await page.getByLabel('Person').selectOption({ label: 'Asha Analyst' })
    await expect.poll(async () => [...new Set(await page.locator('[data-testid="audit-row"] td:nth-child(4)').allTextContents())]).toEqual(['Asha Analyst'])
    // The server agrees: the viewer's own token cannot add a member.
    await expect(trpc('members.add', { name: 'Nobody', role: 'viewer' }, viewerToken)).rejects.toThrow(/This needs the admin role; you are a viewer/)
  })
})

async function orgName(): Promise<string> {
  const profile = await core<{ profile: { org: { name: string } } }>('session.profile', {})
  return profile.profile.org.name
}
