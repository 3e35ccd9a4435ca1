import { describe, expect, it } from 'vitest'
import { definitionOf, draftsWithChange } from './draft-set.ts'
import { errorMarker } from './error-marker.ts'
import { lineDiff } from './line-diff.ts'
import { publishWarning } from './publish-refusal.ts'
import type { TRuleDraftRow } from './rules-api.ts'

describe('errorMarker', () => {
  it('puts a caret under the offending text of its line', () => {
    const text = 'amount > 100\nand country == RU'
    const marker = errorMarker(text, { line: 2, column: 16, offset: 28, length: 2, message: 'Expected a value' })
    expect(marker.where).toBe('line 2, column 16')
    expect(marker.lineText).toBe('and country == RU')
    expect(marker.caret).toBe(`${' '.repeat(15)}^^`)
  })
  it('points just after a line that stops too early, and keeps tabs in the lead', () => {
    expect(errorMarker('amount >', { line: 1, column: 9, offset: 8, length: 1, message: 'Expected a number' }).caret).toBe(`${' '.repeat(8)}^`)
    expect(errorMarker('\tamount >', { line: 1, column: 3, offset: 2, length: 6, message: 'x' }).caret).toBe('\t ^^^^^^')
  })
  it('names the rule for errors not about the expression (line 0)', () => {
    expect(errorMarker('true', { line: 0, column: 0, offset: 0, length: 0, message: 'name: taken' })).toEqual({
      message: 'name: taken',
      where: 'the rule',
      lineText: '',
      caret: '',
    })
  })
})

describe('lineDiff', () => {
  it('marks the changed line as removed then added, and keeps the rest', () => {
    expect(lineDiff('a > 1\nand b\nor c', 'a > 2\nand b\nor c')).toEqual([
      { kind: 'removed', text: 'a > 1' },
      { kind: 'added', text: 'a > 2' },
      { kind: 'same', text: 'and b' },
      { kind: 'same', text: 'or c' },
    ])
  })
  it('reads an added rule (no before) as all added lines', () => {
    expect(
      lineDiff('', 'x\ny')
        .filter((l) => l.kind === 'added')
        .map((l) => l.text),
    ).toEqual(['x', 'y'])
  })
})

describe('publishWarning', () => {
  it('words an over-budget refusal with its figures', () => {
    expect(publishWarning('CONFLICT', { reason: 'over_budget', peakHitsPerDay: 412, alertBudgetPerDay: 200 })?.text).toBe(
      "Its backtest raised up to 412 alerts a day; the organisation's budget is 200.",
    )
  })
  it('says when the drafts were never backtested', () => {
    expect(publishWarning('CONFLICT', { reason: 'not_backtested', alertBudgetPerDay: 200 })?.reason).toBe('not_backtested')
  })
  it('leaves other refusals alone', () => {
    expect(publishWarning('FORBIDDEN', { reason: 'over_budget' })).toBeNull()
    expect(publishWarning('CONFLICT', { reason: 'something else' })).toBeNull()
  })
})

describe('draftsWithChange', () => {
  const row = (id: string, name: string): TRuleDraftRow => ({
    id,
    name,
    expression: 'amount > 1',
    description: '',
    mode: 'ACTIVE',
    severityFloor: null,
    scoreBoost: null,
    state: 'published',
    updatedBy: null,
    updatedAt: 0,
  })
  const edited = { name: 'B2', expression: 'amount > 2', description: '', mode: 'SHADOW', severityFloor: null, scoreBoost: 0.1 } as const
  it('puts the edited rule in its draft place', () => {
    expect(draftsWithChange([row('a', 'A'), row('b', 'B')], { id: 'b', rule: edited }).map((r) => r.name)).toEqual(['A', 'B2'])
  })
  it('adds a new rule last, and leaves the drafts as they are without an editor', () => {
    expect(draftsWithChange([row('a', 'A')], { id: null, rule: edited }).map((r) => r.name)).toEqual(['A', 'B2'])
    expect(draftsWithChange([row('a', 'A')], null)).toEqual([definitionOf(row('a', 'A'))])
  })
})
