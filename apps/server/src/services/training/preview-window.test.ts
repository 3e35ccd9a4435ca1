import { buildFeatureMatrix, DEFAULT_FEATURE_CONFIG, FEATURE_NAMES, generateTransactions, type FeatureConfig } from '@anomalyze/shared/engine'
import { describe, expect, it } from 'vitest'
import { collectPreviewWindow } from './preview-window.ts'
import type { HistoryRow } from './read-history-pages.ts'

const DAY = 86_400_000
const WIDTH = FEATURE_NAMES.length
/** Another configuration: a shorter label delay and another time zone change the features. */
const OTHER_CONFIG: FeatureConfig = { ...DEFAULT_FEATURE_CONFIG, labelDelayDays: 2, timezoneOffsetMinutes: 330 }

// 20 days of a small population, frauds confirmed and large sales dismissed, as the history pages yield them.
const history: HistoryRow[] = [...generateTransactions({ seed: 3, customers: 60, terminals: 120, days: 20, startDate: '2026-02-01' })]
  .sort((a, b) => a.transaction.timestamp - b.transaction.timestamp)
  .map(({ transaction, isFraud }) => ({ tx: transaction, decision: isFraud ? 'CONFIRMED_FRAUD' : transaction.amount > 150 ? 'FALSE_POSITIVE' : null }))

async function* pagesOf(rows: readonly HistoryRow[], size: number): AsyncGenerator<HistoryRow[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size)
}

/** The second route: the whole history in memory through buildFeatureMatrix, as the preview computed it before. */
function wholeHistoryFeatures(config: FeatureConfig): Float32Array {
  return buildFeatureMatrix(
    history.map((r) => ({ transaction: r.tx, isFraud: r.decision === 'CONFIRMED_FRAUD' })),
    config,
  ).rows
}

const last = history.at(-1)!.tx.timestamp
const inLastDays = (days: number) => history.filter((r) => r.tx.timestamp > last - days * DAY).length

describe('collectPreviewWindow', () => {
  it('keeps the last days of a replayed history with the features of the whole replay, per configuration', async () => {
    const days = 6
    const expected = inLastDays(days)
    expect(expected).toBeGreaterThan(100)
    expect(expected).toBeLessThan(history.length / 2)
    expect(history.some((r) => r.decision === 'CONFIRMED_FRAUD' && r.tx.timestamp > last - days * DAY)).toBe(true)

    const window = await collectPreviewWindow(pagesOf(history, 97), [DEFAULT_FEATURE_CONFIG, OTHER_CONFIG], { days, maxRows: expected + 50 })

    const start = history.length - expected
    expect(window).toMatchObject({ boundedBy: 'days', replayed: history.length })
    expect(window.txIds).toEqual(history.slice(start).map((r) => r.tx.txId))
    expect(window.decisions).toEqual(history.slice(start).map((r) => r.decision))
    expect(Array.from(window.timestamps)).toEqual(history.slice(start).map((r) => r.tx.timestamp))
    expect(window.features).toHaveLength(2)
    expect(window.features[0]).toEqual(wholeHistoryFeatures(DEFAULT_FEATURE_CONFIG).subarray(start * WIDTH))
    expect(window.features[1]).toEqual(wholeHistoryFeatures(OTHER_CONFIG).subarray(start * WIDTH))
    expect(window.features[0]).not.toEqual(window.features[1])
  })

  it('caps the window at the newest rows when the days hold more, and says the rows bounded it', async () => {
    const maxRows = 250
    expect(inLastDays(6)).toBeGreaterThan(maxRows)
    const window = await collectPreviewWindow(pagesOf(history, 64), [DEFAULT_FEATURE_CONFIG], { days: 6, maxRows })
    const start = history.length - maxRows
    expect(window.boundedBy).toBe('rows')
    expect(window.txIds).toEqual(history.slice(start).map((r) => r.tx.txId))
    expect(window.accountIds).toEqual(history.slice(start).map((r) => r.tx.accountId))
    expect(Array.from(window.amounts)).toEqual(history.slice(start).map((r) => r.tx.amount))
    expect(window.features[0]).toEqual(wholeHistoryFeatures(DEFAULT_FEATURE_CONFIG).subarray(start * WIDTH))
  })

  it('calls a window that exactly fills the cap bounded by its days', async () => {
    const maxRows = inLastDays(3)
    const window = await collectPreviewWindow(pagesOf(history, 50), [DEFAULT_FEATURE_CONFIG], { days: 3, maxRows })
    expect(window.boundedBy).toBe('days')
    expect(window.txIds).toHaveLength(maxRows)
    expect(window.txIds[0]).toBe(history[history.length - maxRows]!.tx.txId)
  })

  it('gives an empty window for an empty history', async () => {
    const window = await collectPreviewWindow(pagesOf([], 10), [DEFAULT_FEATURE_CONFIG], { maxRows: 5 })
    expect(window).toMatchObject({ boundedBy: 'days', replayed: 0, txIds: [] })
    expect(window.features[0]).toHaveLength(0)
  })
})
