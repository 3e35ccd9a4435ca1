import { describe, expect, it } from 'vitest'
import { describeEvent, formatDue, formatSpan, quotedText } from './case-format.ts'

describe('case timeline wording', () => {
  it('says what each kind of line did, from its data', () => {
    expect(describeEvent({ kind: 'alerts_added', data: { anomalyIds: ['a', 'b', 'c'], count: 3 } })).toBe('added 3 alerts')
    expect(describeEvent({ kind: 'alerts_added', data: { anomalyIds: ['a'] } })).toBe('added 1 alert')
    expect(describeEvent({ kind: 'assigned', data: { assignee: { id: 'u1', name: 'Asha Rao' }, previous: null, how: 'claim' } })).toBe('claimed the case')
    expect(describeEvent({ kind: 'assigned', data: { assignee: { id: 'u2', name: 'Bala Iyer' }, how: 'round_robin' } })).toBe(
      'assigned the case to Bala Iyer (round-robin)',
    )
    expect(describeEvent({ kind: 'status', data: { from: 'OPEN', to: 'ESCALATED' } })).toBe('moved the case from Open to Escalated')
    expect(describeEvent({ kind: 'closed', data: { status: 'CLOSED_LEGITIMATE', note: null, decidedCount: 4 } })).toBe(
      'closed the case as legitimate, deciding 4 open alerts',
    )
    expect(describeEvent({ kind: 'claim_refused', data: { heldBy: { id: 'u1', name: 'Asha Rao' } } })).toBe(
      'tried to claim the case; not applied: Asha Rao held it',
    )
    expect(describeEvent({ kind: 'merged', data: { from: ['c1', 'c2'] } })).toBe('merged 2 cases into this one')
    expect(describeEvent({ kind: 'merged', data: { into: 'c9' } })).toBe('merged this case into another')
  })

  it('reads missing or mistyped data as "someone" or nothing rather than failing', () => {
    expect(describeEvent({ kind: 'assigned', data: null })).toBe('assigned the case to someone')
    expect(describeEvent({ kind: 'claim_refused', data: { heldBy: 'not a person' } })).toBe('tried to claim the case; not applied: someone held it')
    expect(describeEvent({ kind: 'alerts_added', data: { count: 'many' } })).toBe('added 0 alerts')
    expect(describeEvent({ kind: 'status', data: { from: 'WEIRD', to: 7 } })).toBe('moved the case from WEIRD to ')
  })

  it('quotes comments and closing notes, not blank ones', () => {
    expect(quotedText({ kind: 'comment', data: { text: 'called the customer' } })).toBe('called the customer')
    expect(quotedText({ kind: 'closed', data: { note: '  ' } })).toBeNull()
    expect(quotedText({ kind: 'close_refused', data: { note: 'was stolen' } })).toBe('was stolen')
    expect(quotedText({ kind: 'assigned', data: { text: 'not quoted' } })).toBeNull()
  })
})

describe('spans and due times', () => {
  const now = Date.UTC(2026, 0, 10, 12)
  it('rounds to the largest sensible unit', () => {
    expect(formatSpan(30_000)).toBe('<1 min')
    expect(formatSpan(25 * 60_000)).toBe('25 min')
    expect(formatSpan(5 * 3_600_000)).toBe('5 h')
    expect(formatSpan(3 * 86_400_000)).toBe('3 d')
  })
  it('says whether the due time is ahead or past', () => {
    expect(formatDue(null, now)).toBe('—')
    expect(formatDue(now + 2 * 3_600_000, now)).toBe('in 2 h')
    expect(formatDue(now - 90 * 60_000, now)).toBe('2 h ago')
  })
})
