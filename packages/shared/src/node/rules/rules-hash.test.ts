import { describe, expect, it } from 'vitest'
import type { RuleDefinition } from '../../rules/rule-types.ts'
import { rulesHash } from './rules-hash.ts'

const rules: RuleDefinition[] = [
  { name: 'BIG_NIGHT', expression: 'amount > 5000 and is_night == 1', description: 'Large at night', mode: 'ACTIVE', severityFloor: 'HIGH', scoreBoost: 0.2 },
  { name: 'DENIED_MERCHANT', expression: 'merchant_id in list("deny merchants")', description: '', mode: 'SHADOW', severityFloor: null, scoreBoost: null },
]

describe('rulesHash', () => {
  it('is pinned: backtests stored by earlier versions keep matching their drafts (backtests there and here must agree)', () => {
    expect(rulesHash(rules)).toBe('41db759897c65a18f42365e90ee21f1fffacbafd6dbcfa86d5cc87b73c5f8da8')
  })

  it('changes with any field of any rule, and with their order', () => {
    const base = rulesHash(rules)
    const first = rules[0] as RuleDefinition
    const variants: RuleDefinition[] = [
      { ...first, name: 'BIG_NIGHT2' },
      { ...first, expression: 'amount > 5001 and is_night == 1' },
      { ...first, description: 'Large at night.' },
      { ...first, mode: 'SHADOW' },
      { ...first, severityFloor: 'CRITICAL' },
      { ...first, scoreBoost: 0.3 },
    ]
    for (const variant of variants) expect(rulesHash([variant, rules[1] as RuleDefinition])).not.toBe(base)
    expect(rulesHash([...rules].reverse())).not.toBe(base)
  })
})
