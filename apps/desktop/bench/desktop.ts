import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ensureRendererBuilt } from '../e2e/build-renderer.ts'
import { APP_DIR, launchChromium, startConsole } from '../e2e/harness.ts'
import { openLocalStore } from '../src/core/store/local-store.ts'
import { benchCases } from './cases.ts'
import { benchCsvScoring, benchInitialSync } from './sync-and-scoring.ts'

/**
 * Desktop console bench: 100,000 fixture anomalies in a real cache, the real
 * `console --web` server, Debian Chromium. Prints a table and writes
 * bench-out/desktop.json; then the first sync of --sync-rows anomalies from the real
 * server (embedded Postgres), and offline CSV scoring of --csv-rows rows through the
 * console's core and through the CLI in the same run; then cases from the cache
 * (--case-alerts alerts in --cases cases: My cases' first page, opening a case of 50
 * alerts with 2,000 cached transactions).
 * Usage: pnpm --filter @anomalyze/desktop bench:desktop [--rows N] [--labels N] [--sync-rows N] [--csv-rows N] [--case-alerts N] [--cases N] [--ui 0]
 * (0 skips a part.)
 */
const USAGE = `bench:desktop: the console's speed on a real cache, core and Chromium

Usage: pnpm bench:desktop [--rows N] [--labels N] [--sync-rows N] [--csv-rows N] [--case-alerts N] [--cases N] [--ui 0]

  --rows N         fixture anomalies in the cache (default 100000)
  --labels N       keypresses timed from label to the next alert shown (default 60)
  --sync-rows N    anomalies in the first sync from a real server (default 100000; 0 skips)
  --csv-rows N     rows of the offline CSV scoring part (default 200000; 0 skips)
  --case-alerts N  alerts of the cases part (default 100000; 0 skips)
  --cases N        cases they fall in (default 20000)
  --ui 0           skip the browser part
`
const argv = process.argv.slice(2)
if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(USAGE)
  process.exit(0)
}
const arg = (name: string, fallback: number): number => {
  const i = argv.indexOf(`--${name}`)
  if (i < 0) return fallback
  const value = Number(argv[i + 1])
  if (!Number.isInteger(value) || value < 0) {
    process.stderr.write(`--${name} must be a whole number >= 0, not "${argv[i + 1] ?? ''}"\n\n${USAGE}`)
    process.exit(2)
  }
  return value
}
const ROWS = arg('rows', 100_000)
const LABELS = arg('labels', 60)
const SYNC_ROWS = arg('sync-rows', 100_000)
const CSV_ROWS = arg('csv-rows', 200_000)
const CASE_ALERTS = arg('case-alerts', 100_000)
const CASES = arg('cases', 20_000)
const UI = arg('ui', 1) !== 0
const PAINT_RUNS = 5

const median = (xs: number[]): number => quantile(xs, 0.5)
function quantile(xs: number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN
}
function time(fn: () => unknown, runs = 7): number[] {
  return Array.from({ length: runs }, () => {
    const t = performance.now()
    fn()
    return performance.now() - t
  })
}

// Page-side code goes in as source text: this file is type-checked for Node (no DOM),
// and tsx's helpers would not exist inside the page.
const NEXT_FRAME_TIME = 'new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())))'
/** From the keydown event to the frame after the detail pane shows the next item. */
function labelProbe(key: string, nextId: string): string {
  return `new Promise((resolve) => {
    let start = 0
    const check = () => {
      const pane = document.querySelector('[data-testid="detail-pane"]')
      if (pane && pane.getAttribute('data-anomaly-id') === ${JSON.stringify(nextId)}) requestAnimationFrame(() => resolve(performance.now() - start))
      else requestAnimationFrame(check)
    }
    window.addEventListener('keydown', () => { start = performance.now(); requestAnimationFrame(check) }, { once: true, capture: true })
    window.dispatchEvent(new KeyboardEvent('keydown', { key: ${JSON.stringify(key)}, bubbles: true }))
  })`
}

/**
 * Where a first paint's time went, from inside the page: the app's own marks
 * (boot.ts, main.tsx, QueueView) and, per core call, when its answer arrived and how
 * long the core worked on it (its Server-Timing header).
 */
const PAINT_BREAKDOWN = `(() => {
  const out = {}
  for (const m of performance.getEntriesByType('mark')) if (m.name.startsWith('anomalyze:')) out['mark ' + m.name.slice(10)] = m.startTime
  for (const e of performance.getEntriesByType('resource')) {
    const path = new URL(e.name).pathname
    if (path.startsWith('/assets/') && path.endsWith('.js')) out['js ' + path.replace(/-[A-Za-z0-9_-]+\\.js$/, '') + ' loaded'] = e.responseEnd
    if (!path.startsWith('/api/') || ('call ' + path.slice(5) + ' answered') in out) continue
    out['call ' + path.slice(5) + ' answered'] = e.responseEnd
    const core = (e.serverTiming || []).find((t) => t.name === 'core')
    if (core) out['call ' + path.slice(5) + ' core time'] = core.duration
  }
  return out
})()`
/**
 * Installed before the page's own code: the time of the frame that first shows a
 * queue row, taken in the page. The driver's own view (wait for the selector, then
 * ask for the next frame) adds its polling and round-trip latency on top.
 */
const FIRST_ROW_FRAME = `(() => {
  const check = () => {
    if (document.querySelector('.queue-row[aria-rowindex="1"][data-anomaly-id]') === null) return
    observer.disconnect()
    requestAnimationFrame(() => { window.__queueFirstRowFrame = performance.now() })
  }
  const observer = new MutationObserver(check)
  observer.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-anomaly-id'] })
})()`
const BREAKDOWN_CALLS = ['app.config', 'queue.head', 'queue.snapshot', 'queue.rows', 'sync.status']

const results: Record<string, number> = {}
if (UI) {
  ensureRendererBuilt()
  const seedStart = performance.now()
  const app = await startConsole({ seedFixtures: ROWS })
  const seedMs = performance.now() - seedStart
  results.rows = ROWS
  results['seed + start console (ms)'] = seedMs

  // SQLite, in this process, on the same WAL file the console serves.
  const store = openLocalStore(join(app.dataDir, 'anomalyze-cache.db'))
  const open = { statuses: ['OPEN' as const, 'NEEDS_REVIEW' as const] }
  for (const sort of ['severity', 'score', 'time'] as const) {
    results[`sqlite snapshot open, sort ${sort} (ms, median)`] = median(time(() => store.queue.snapshot({ filters: open, sort })))
  }
  results['sqlite snapshot text search (ms, median)'] = median(time(() => store.queue.snapshot({ filters: { ...open, text: 'C0001' }, sort: 'severity' })))
  results['sqlite snapshot amount+date filter (ms, median)'] = median(
    time(() => store.queue.snapshot({ filters: { ...open, amountMin: 100, from: Date.UTC(2026, 0, 10), to: Date.UTC(2026, 0, 20) }, sort: 'score' })),
  )
  const keys = store.queue.snapshot({ filters: open, sort: 'severity' }).keys
  results['sqlite rows, page of 100 (ms, median)'] = median(time(() => store.queue.rows(keys.slice(50_000, 50_100))))
  const sample = store.queue.rows(keys.slice(0, 1))[0]
  if (sample === undefined) throw new Error('seeded cache is empty')
  results['sqlite get one (ms, median)'] = median(time(() => store.queue.get(sample.id)))
  results['sqlite account history 60 (ms, median)'] = median(time(() => store.queue.accountHistory(sample.accountId, 60)))
  results['sqlite dashboard aggregates (ms, median)'] = median(time(() => store.dashboard(null), 3))
  store.close()

  const { browser, close } = await launchChromium()
  try {
    const paints: number[] = []
    const inPage: number[] = []
    const breakdown = new Map<string, number[]>()
    for (let run = 0; run < PAINT_RUNS; run += 1) {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
      await app.authorize(page)
      await page.addInitScript(FIRST_ROW_FRAME)
      await page.goto(app.url)
      await page.waitForSelector('.queue-row[aria-rowindex="1"][data-anomaly-id]')
      // performance.now() counts from navigation start.
      paints.push(await page.evaluate<number>(NEXT_FRAME_TIME))
      inPage.push(Number(await (await page.waitForFunction('window.__queueFirstRowFrame')).jsonValue()))
      for (const [name, ms] of Object.entries(await page.evaluate<Record<string, number>>(PAINT_BREAKDOWN)))
        breakdown.set(name, [...(breakdown.get(name) ?? []), ms])
      await page.close()
    }
    results[`queue first paint, ${ROWS} rows (ms, median of ${PAINT_RUNS})`] = median(paints)
    results[`queue first paint, frame time in the page (ms, median of ${PAINT_RUNS})`] = median(inPage)
    const wanted = (name: string): boolean => name.startsWith('mark ') || name.startsWith('js ') || BREAKDOWN_CALLS.some((c) => name.startsWith(`call ${c} `))
    for (const [name, values] of [...breakdown].filter(([name]) => wanted(name)).sort((a, b) => median(a[1]) - median(b[1]))) {
      results[`  first paint: ${name} (ms, median)`] = median(values)
    }

    const page = await app.newPage(browser, { viewport: { width: 1440, height: 900 } })
    await page.waitForSelector('.queue-row[aria-rowindex="1"][data-anomaly-id]')
    await page.keyboard.press('Enter')
    await page.waitForSelector('[data-testid="detail-pane"]')
    const latencies: number[] = []
    for (let i = 0; i < LABELS; i += 1) {
      // The row after the cursor: a decided row leaves the Open view, so that is not row i + 2.
      const cursorRow = Number(await page.locator('.queue-row.is-cursor').getAttribute('aria-rowindex'))
      const expected = await page.locator(`.queue-row[aria-rowindex="${cursorRow + 1}"]`).getAttribute('data-anomaly-id')
      const latency = await page.evaluate<number>(labelProbe(i % 2 === 0 ? 'p' : 'f', expected ?? ''))
      latencies.push(latency)
    }
    results[`label key -> next item shown (ms, median of ${LABELS})`] = median(latencies)
    results[`label key -> next item shown (ms, p95 of ${LABELS})`] = quantile(latencies, 0.95)
    await page.close()
  } finally {
    await close()
    await app.stop()
  }
}
if (SYNC_ROWS > 0) Object.assign(results, await benchInitialSync(SYNC_ROWS))
if (CSV_ROWS > 0) Object.assign(results, await benchCsvScoring(CSV_ROWS))
if (CASE_ALERTS > 0 && CASES > 0) Object.assign(results, await benchCases(CASE_ALERTS, CASES))

const width = Math.max(...Object.keys(results).map((k) => k.length))
for (const [name, value] of Object.entries(results)) console.log(`${name.padEnd(width)}  ${value.toFixed(1)}`)
const outDir = join(APP_DIR, '..', '..', 'bench-out')
mkdirSync(outDir, { recursive: true })
writeFileSync(join(outDir, 'desktop.json'), JSON.stringify({ at: new Date().toISOString(), results }, null, 2))
