import type { TExplanationDataV2, TStoredContribution } from '@anomalyze/shared/engine'
import { describe, expect, it } from 'vitest'
import {
  chartHeight,
  directionCaption,
  explanationChart,
  explanationSummary,
  formatContribution,
  isolationCaption,
  MAX_BARS,
  tooltipLines,
  valueDomain,
} from './explanation-bars.ts'

const contribution = (feature: string, label: string, value: number, isolation = 0): TStoredContribution => ({
  feature,
  label,
  value: 1,
  norm: null,
  text: `${label.toLowerCase()} phrase`,
  contribution: value,
  isolation,
})

/** A stored version-2 explanation, as server ingestion and file scoring write it (with writers' own keys beside). */
function storedV2(raised: TStoredContribution[], lowered: TStoredContribution[], share: TExplanationDataV2['isolationShare'] = null) {
  const data: TExplanationDataV2 & { line: number } = {
    v: 2,
    baseline: 0.1,
    modelScore: 0.5,
    raisedBy: raised,
    loweredBy: lowered,
    other: 0,
    isolationShare: share,
    ruleBoost: 0,
    line: 7,
  }
  // Through JSON, as it comes back from SQLite or the server.
  return JSON.parse(JSON.stringify(data)) as unknown
}

describe('explanation chart data', () => {
  it('takes the largest contributions of either sign, largest first, at most six', () => {
    const raised = [0.3, 0.02, 0.11, 0.004, 0.09].map((c, i) => contribution(`up_${i}`, `Up ${i}`, c))
    const lowered = [-0.05, -0.2, -0.001].map((c, i) => contribution(`down_${i}`, `Down ${i}`, c))
    const chart = explanationChart(storedV2(raised, lowered))
    expect(chart?.units).toBe('score')
    expect(chart?.bars.map((b) => b.contribution)).toEqual([0.3, -0.2, 0.11, 0.09, -0.05, 0.02])
    expect(chart?.bars.length).toBe(MAX_BARS)
    expect(chart?.bars.map((b) => b.direction)).toEqual(['raised', 'lowered', 'raised', 'raised', 'lowered', 'raised'])
    expect(chart?.bars[1]).toMatchObject({ label: 'Down 1', valueText: '\u22120.20', text: 'down 1 phrase' })
  })

  it('leaves out contributions that round to nothing, and draws nothing when only those are left', () => {
    const chart = explanationChart(storedV2([contribution('a', 'A', 0.0004), contribution('b', 'B', 0.02)], [contribution('c', 'C', -0.0001)]))
    expect(chart?.bars.map((b) => b.feature)).toEqual(['b'])
    expect(explanationChart(storedV2([contribution('a', 'A', 0.0004)], []))).toBeNull()
  })

  it('draws nothing for rows without contributions: fixtures, plain rows, broken data', () => {
    expect(explanationChart({ fixture: true, scenario: 'night', amountRatio: 3 })).toBeNull()
    expect(explanationChart(null)).toBeNull()
    expect(explanationChart('raised by amount')).toBeNull()
    expect(explanationChart({ topFeatures: [] })).toBeNull()
    expect(explanationChart({ v: 2, raisedBy: 'nope' })).toBeNull()
  })

  it("reads an older row in model units, in an analyst's words, and says so", () => {
    const chart = explanationChart({ topFeatures: [{ feature: 'acct_amount_ratio', value: 7.2, contribution: 1.8, text: 'acct amount ratio 7.20' }] })
    expect(chart?.units).toBe('model')
    expect(chart?.bars[0]).toMatchObject({ label: "Amount vs account's usual", text: "amount 7.2× the account's usual", valueText: '+1.80' })
    expect(directionCaption('model')).toContain('model units')
    expect(directionCaption('model')).not.toContain('score points')
    expect(tooltipLines(chart!.bars[0]!, 'model')).toEqual(["amount 7.2× the account's usual", '+1.80 model units'])
    expect(explanationSummary(chart!.bars, 'model')).toBe("Explanation chart in model units: raised most by Amount vs account's usual (+1.80).")
  })

  it("keeps the isolation forest share and each bar's part of it", () => {
    const share = { weight: 0.1, isolationScore: 0.7, contribution: 0.04 }
    const chart = explanationChart(storedV2([contribution('amount', 'Amount', 0.12, 0.006)], [contribution('hour_of_day', 'Hour of day', -0.03, 0)], share))
    expect(isolationCaption(chart!.isolationShare)).toBe('Isolation forest: +0.04 of the score (blend weight 0.1)')
    expect(tooltipLines(chart!.bars[0]!, 'score')).toEqual(['amount phrase', '+0.12 score points', 'of which isolation forest +0.006'])
    // No part worth naming: no line for it.
    expect(tooltipLines(chart!.bars[1]!, 'score')).toEqual(['hour of day phrase', '\u22120.03 score points'])
    expect(isolationCaption(null)).toBeNull()
  })
})

describe('explanation chart text', () => {
  it('writes a push like the sentence does: signed, three decimals below 0.01, a true minus', () => {
    expect(formatContribution(0.1234)).toBe('+0.12')
    expect(formatContribution(-0.005)).toBe('\u22120.005')
    expect(formatContribution(-0.031)).toBe('\u22120.03')
    expect(formatContribution(0.004)).toBe('+0.004')
  })

  it('names the top raise and the top lower for a screen reader', () => {
    const chart = explanationChart(storedV2([contribution('amount', 'Amount', 0.12)], [contribution('hour_of_day', 'Hour of day', -0.05)]))
    expect(explanationSummary(chart!.bars, 'score')).toBe(
      'Explanation chart in score points: raised most by Amount (+0.12); lowered most by Hour of day (\u22120.05).',
    )
    const onlyRaised = explanationChart(storedV2([contribution('amount', 'Amount', 0.12)], []))
    expect(explanationSummary(onlyRaised!.bars, 'score')).toBe('Explanation chart in score points: raised most by Amount (+0.12); nothing lowered it.')
  })

  it('puts zero where it falls and leaves room for labels only on sides with bars', () => {
    const both = explanationChart(storedV2([contribution('a', 'A', 0.3)], [contribution('b', 'B', -0.1)]))!
    const [low, high] = valueDomain(both.bars)
    expect(low).toBeLessThan(-0.1)
    expect(high).toBeGreaterThan(0.3)
    const raisedOnly = explanationChart(storedV2([contribution('a', 'A', 0.3)], []))!
    expect(valueDomain(raisedOnly.bars)[0]).toBe(0)
    const loweredOnly = explanationChart(storedV2([], [contribution('b', 'B', -0.1)]))!
    expect(valueDomain(loweredOnly.bars)[1]).toBe(0)
  })

  it("gives the placeholder the chart's height, growing with the bars", () => {
    expect(chartHeight(6)).toBeGreaterThan(chartHeight(2))
  })
})
