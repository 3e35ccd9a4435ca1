import { describe, expect, it } from 'vitest'
import { severityOf, type ModelScore, type SeverityThresholds } from '../detection/models/anomaly-model.ts'
import type { TTransaction } from '../transactions/transaction-input.ts'
import { applyRuleOutcome, findSuppression, outcomeOfFired, raisesAlert } from './apply-outcome.ts'
import { NO_LISTS, type RuleDefinition, type RuleLists, type RuleOutcome } from './rule-types.ts'

const thresholds: SeverityThresholds = { medium: 0.5, high: 0.7, critical: 0.9 }
const score = (value: number, severity: ModelScore['severity']): ModelScore => ({ score: value, severity, isolationScore: value, fraudProbability: null })
const outcome = (extra: Partial<RuleOutcome>): RuleOutcome => ({ fired: [], shadow: [], severityFloor: null, scoreBoost: 0, ...extra })
const tx: TTransaction = { txId: 't', timestamp: 0, amount: 1, currency: 'INR', accountId: 'acct-1', merchantId: 'shop-9', country: 'IN' }

describe('applyRuleOutcome', () => {
  it('leaves the score alone when no fired rule has a boost or floor', () => {
    const s = score(0.4, 'LOW')
    expect(applyRuleOutcome(s, outcome({ fired: ['X'] }), thresholds)).toBe(s)
  })

  it('adds the boost, capped at 1, and takes the severity of the boosted score', () => {
    expect(applyRuleOutcome(score(0.4, 'LOW'), outcome({ fired: ['X'], scoreBoost: 0.35 }), thresholds)).toMatchObject({ score: 0.75, severity: 'HIGH' })
    expect(applyRuleOutcome(score(0.8, 'HIGH'), outcome({ fired: ['X'], scoreBoost: 0.5 }), thresholds)).toMatchObject({ score: 1, severity: 'CRITICAL' })
  })

  it("raises the score to the floor's cut-off, so the severity is the model's mapping of the score shown; never lowers it", () => {
    const floored = applyRuleOutcome(score(0.1, 'LOW'), outcome({ fired: ['X'], severityFloor: 'HIGH' }), thresholds)
    expect(floored).toMatchObject({ score: 0.7, severity: 'HIGH', isolationScore: 0.1 })
    expect(applyRuleOutcome(score(0.1, 'LOW'), outcome({ fired: ['X'], severityFloor: 'CRITICAL', scoreBoost: 0.05 }), thresholds)).toMatchObject({
      score: 0.9,
      severity: 'CRITICAL',
    })
    expect(applyRuleOutcome(score(0.95, 'CRITICAL'), outcome({ fired: ['X'], severityFloor: 'MEDIUM' }), thresholds)).toMatchObject({
      score: 0.95,
      severity: 'CRITICAL',
    })
    // Whatever fired, severity and score agree.
    for (const s of [0, 0.2, 0.55, 0.72, 0.93])
      for (const floor of ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const) {
        const out = applyRuleOutcome(score(s, 'LOW'), outcome({ fired: ['X'], severityFloor: floor, scoreBoost: 0.01 }), thresholds)
        expect(out.severity).toBe(severityOf(thresholds, out.score))
      }
  })
})

describe('outcomeOfFired', () => {
  it("gives a stored alert's fired ACTIVE rules their boosts and highest floor again; unknown and SHADOW names add nothing", () => {
    const rule = (name: string, over: Partial<RuleDefinition>): RuleDefinition => ({
      name,
      expression: 'amount > 0',
      description: '',
      mode: 'ACTIVE',
      severityFloor: null,
      scoreBoost: null,
      ...over,
    })
    const definitions = [
      rule('A', { scoreBoost: 0.1, severityFloor: 'MEDIUM' }),
      rule('B', { scoreBoost: 0.05, severityFloor: 'HIGH' }),
      rule('S', { mode: 'SHADOW', scoreBoost: 0.5, severityFloor: 'CRITICAL' }),
    ]
    const outcome = outcomeOfFired(definitions, ['A', 'B', 'S', 'GONE'])
    expect(outcome).toMatchObject({ severityFloor: 'HIGH' })
    expect(outcome.scoreBoost).toBeCloseTo(0.15, 12)
    expect(outcomeOfFired(definitions, [])).toEqual({ fired: [], shadow: [], severityFloor: null, scoreBoost: 0 })
  })
})

describe('raisesAlert', () => {
  it('is an alert above LOW or when an ACTIVE rule fired, not for SHADOW hits alone', () => {
    expect(raisesAlert(score(0.6, 'MEDIUM'), outcome({}))).toBe(true)
    expect(raisesAlert(score(0.1, 'LOW'), outcome({ fired: ['X'] }))).toBe(true)
    expect(raisesAlert(score(0.1, 'LOW'), outcome({ shadow: ['X'] }))).toBe(false)
  })
})

describe('findSuppression', () => {
  const lists: RuleLists = {
    values: new Map(),
    allow: [
      { name: 'trusted_shops', field: 'merchant_id', reasons: new Map([['shop-9', 'payroll merchant, checked 2024-05']]) },
      { name: 'vip', field: 'account_id', reasons: new Map([['acct-1', 'VIP customer']]) },
      { name: 'odd', field: 'no_such_field', reasons: new Map([['acct-1', 'never matches']]) },
    ],
  }

  it('returns the first allow list whose field value is listed, with its reason', () => {
    expect(findSuppression(tx, lists)).toEqual({ list: 'trusted_shops', field: 'merchant_id', value: 'shop-9', reason: 'payroll merchant, checked 2024-05' })
    expect(findSuppression({ ...tx, merchantId: 'other' }, lists)).toEqual({ list: 'vip', field: 'account_id', value: 'acct-1', reason: 'VIP customer' })
  })

  it('returns null when nothing is listed, and ignores lists on unknown fields', () => {
    expect(findSuppression({ ...tx, merchantId: 'other', accountId: 'acct-2' }, lists)).toBeNull()
    expect(findSuppression(tx, NO_LISTS)).toBeNull()
  })
})
