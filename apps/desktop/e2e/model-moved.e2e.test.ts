import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildFeatureMatrix, FEATURE_NAMES, generateTransactions, trainAnomalyModel } from '@anomalyze/shared/engine'
import { loadModelArtifact, saveModelArtifact } from '@anomalyze/shared/node'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ModelChangeSummary } from '../src/contract/sync-status.ts'
import { rescoreQueue } from '../src/core/models/rescore-queue.ts'
import { openLocalStore } from '../src/core/store/local-store.ts'
import { makeAnomaly, seedAnomalies } from '../test/support/fixtures.ts'
import { ensureRendererBuilt } from './build-renderer.ts'
import { assertChromium, launchChromium, SCREENSHOT_DIR, startConsole, type ConsoleProcess } from './harness.ts'

/**
 * The console after its queue was re-scored by a model change (done here with two
 * real models before the console starts): markers on the moved rows, the filter,
 * the detail pane's before/after line and the status bar's summary.
 */
let browser: Browser
let closeBrowser: () => Promise<void>
let consoleApp: ConsoleProcess
let dataDir: string
let summary: ModelChangeSummary

beforeAll(async () => {
  assertChromium()
  ensureRendererBuilt()
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  dataDir = mkdtempSync(join(tmpdir(), 'anomalyze-moved-'))
  const matrix = buildFeatureMatrix(generateTransactions({ seed: 5, customers: 60, terminals: 60, days: 8 }))
  const models = []
  for (const [version, seed] of [
    ['1.2.0', 1],
    ['1.3.0', 99],
  ] as const) {
    const { model } = trainAnomalyModel(matrix.rows, { isolation: { trees: 10, seed }, alertBudget: { medium: 0.3, high: 0.1, critical: 0.03 } })
    await saveModelArtifact(join(dataDir, version), model, { version, training: { source: 'test', rows: matrix.count, frauds: null, from: null, to: null } })
    models.push(await loadModelArtifact(join(dataDir, version)))
  }
  const [first, second] = models as [(typeof models)[0], (typeof models)[0]]
  const n = Math.min(300, matrix.count)
  const width = FEATURE_NAMES.length
  const scores = await first.scorer.score(matrix.rows, n)
  const store = openLocalStore(join(dataDir, 'anomalyze-cache.db'))
  seedAnomalies(
    store,
    scores.map((s, i) =>
      makeAnomaly(i, { score: s.score, severity: s.severity, modelVersion: '1.2.0', features: Array.from(matrix.rows.subarray(i * width, (i + 1) * width)) }),
    ),
  )
  const result = await rescoreQueue({ store, model: { version: '1.3.0', loaded: second }, now: Date.now() })
  if (result === null || result.moved === 0) throw new Error('the two models should move some rows')
  summary = result
  store.close()
  await first.scorer.close()
  await second.scorer.close()
  consoleApp = await startConsole({ dataDir })
  ;({ browser, close: closeBrowser } = await launchChromium())
})
afterAll(async () => {
  await closeBrowser?.()
  await consoleApp?.stop()
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true })
})

describe('queue after a model change (Chromium)', () => {
  it('marks moved rows, filters them, explains the move and sums it up in the status bar', async () => {
    const page = await consoleApp.newPage(browser, { viewport: { width: 1440, height: 900 } })
    await page.goto(consoleApp.url)
    await expect
      .poll(() => page.getByTestId('model-change').textContent())
      .toBe(`Model 1.3.0: ${summary.moved} ${summary.moved === 1 ? 'alert' : 'alerts'} moved, ${summary.down + summary.dropped} down, ${summary.up} up`)
    await page.getByRole('button', { name: 'Moved by the last model change' }).click()
    await expect.poll(() => page.getByTestId('queue-count').textContent()).toContain(String(summary.moved))
    await expect.poll(() => page.locator('.queue-row[aria-rowindex="1"] [data-testid="moved-mark"]').count()).toBe(1)
    await page.locator('.queue-row[aria-rowindex="1"]').dblclick()
    await expect
      .poll(() => page.getByTestId('rescore-note').textContent())
      .toMatch(/Was (LOW|MEDIUM|HIGH|CRITICAL) \d\.\d\d under 1\.2\.0, now (LOW|MEDIUM|HIGH|CRITICAL) \d\.\d\d under 1\.3\.0/)
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'queue-moved-by-model-change.png') })
    await page.close()
  })
})
