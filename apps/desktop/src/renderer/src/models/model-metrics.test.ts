import { describe, expect, it } from 'vitest'
import { comparisonOf, figureRows, figuresOf, verdict } from './model-metrics.ts'

describe('model figures', () => {
  it('reads the evaluation fields and falls back to the holdout names of older versions', () => {
    expect(figuresOf({ averagePrecision: 0.5, aucRoc: 0.9, cardPrecisionAtK: 0.3, alertVolume: { candidatePerDay: 12, warning: '' } })).toEqual({
      averagePrecision: 0.5,
      aucRoc: 0.9,
      cardPrecisionAtK: 0.3,
      alertsPerDay: 12,
    })
    expect(figuresOf({ holdoutAveragePrecision: 0.7, holdoutAucRoc: 'x' })).toEqual({
      averagePrecision: 0.7,
      aucRoc: null,
      cardPrecisionAtK: null,
      alertsPerDay: null,
    })
  })

  it('reads a preview comparison, or null when it is missing or malformed', () => {
    const side = (version: string, ap: number) => ({ version, averagePrecision: ap, aucRoc: null, cardPrecisionAtK: 0.2, alertsPerDay: 4 })
    const c = comparisonOf({ comparison: { current: side('default', 0.8), candidate: side('1.1.0', 0.5), alertVolume: { warning: 'Alerts up 40%' } } })
    expect(c?.candidate).toEqual(side('1.1.0', 0.5))
    expect(c?.alertVolume?.warning).toBe('Alerts up 40%')
    expect(comparisonOf({ comparison: { current: side('default', 0.8) } })).toBeNull()
    expect(comparisonOf(undefined)).toBeNull()
  })

  it('says better or worse by the direction that is good for each figure', () => {
    expect(verdict(0.8, 0.5, true)).toBe('worse')
    expect(verdict(10, 5, false)).toBe('better')
    expect(verdict(null, 5, false)).toBeNull()
    expect(verdict(1, 1, true)).toBeNull()
  })

  it('takes a figure from recent transactions only when both versions have it there, else from both registrations', () => {
    const recent = comparisonOf({
      comparison: {
        current: { version: 'default', averagePrecision: null, aucRoc: 0.91, cardPrecisionAtK: null, alertsPerDay: 6 },
        candidate: { version: '1.1.0', averagePrecision: null, aucRoc: 0.88, cardPrecisionAtK: 0.3, alertsPerDay: 9 },
      },
    })
    const registeredActive = { averagePrecision: 0.62, aucRoc: 0.95, cardPrecisionAtK: 0.25, alertsPerDay: null }
    const registeredCandidate = { averagePrecision: 0.4, aucRoc: 0.97, cardPrecisionAtK: 0.2, alertsPerDay: null }
    const rows = figureRows(recent, registeredActive, registeredCandidate)
    expect(rows.averagePrecision).toEqual({ active: 0.62, candidate: 0.4, source: 'registered' })
    expect(rows.aucRoc).toEqual({ active: 0.91, candidate: 0.88, source: 'recent' })
    // One side missing on recent data: both sides come from the registrations, never mixed.
    expect(rows.cardPrecisionAtK).toEqual({ active: 0.25, candidate: 0.2, source: 'registered' })
    expect(rows.alertsPerDay).toEqual({ active: 6, candidate: 9, source: 'recent' })
    expect(figureRows(null, registeredActive, registeredCandidate).aucRoc).toEqual({ active: 0.95, candidate: 0.97, source: 'registered' })
  })
})
