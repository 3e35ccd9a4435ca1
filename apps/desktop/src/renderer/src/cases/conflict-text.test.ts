import type { CaseConflict, CaseTimelineEntry } from '../../../contract/cases.ts'
import { describe, expect, it } from 'vitest'
import { conflictText } from './conflict-text.ts'

const asha = { id: 'u_asha', name: 'Asha Rao' }
const at = Date.UTC(2020, 0, 2, 10, 42)

function entry(kind: CaseTimelineEntry['kind'], data: Record<string, unknown>, extra: Partial<CaseTimelineEntry> = {}): CaseTimelineEntry {
  return { id: `${kind}-${at}`, caseId: 'c1', kind, actor: asha, actorName: asha.name, at, data, mutationId: null, pending: false, ...extra }
}

describe('the notice for an action a teammate beat', () => {
  const claim: CaseConflict = { kind: 'claim', heldBy: asha, message: 'Asha Rao holds this case', at: at + 60_000 }

  it('names who holds the case and since when, from their claim in the timeline', () => {
    const timeline = [entry('opened', { by: 'ingestion' }), entry('assigned', { assignee: asha, previous: null, how: 'claim' })]
    expect(conflictText(claim, timeline)).toBe('Asha Rao holds this case since 2020-01-02 10:42 UTC — your claim was not applied')
  })

  it('leaves out "since" while the timeline does not show their claim (not pulled yet, or only a pending one)', () => {
    expect(conflictText(claim, [entry('opened', { by: 'ingestion' })])).toBe('Asha Rao holds this case — your claim was not applied')
    const someoneElse = entry('assigned', { assignee: { id: 'u_bala', name: 'Bala Iyer' }, how: 'claim' })
    const pending = entry('assigned', { assignee: asha, how: 'claim' }, { pending: true })
    expect(conflictText(claim, [someoneElse, pending])).toBe('Asha Rao holds this case — your claim was not applied')
  })

  it('says who closed the case for a refused close, and falls back to the core message without a person', () => {
    const close: CaseConflict = { kind: 'close', heldBy: asha, message: 'Asha Rao closed this case', at }
    expect(conflictText(close, [entry('closed', { status: 'CLOSED_FRAUD', decidedCount: 2 })])).toBe(
      'Asha Rao closed this case at 2020-01-02 10:42 UTC — your close was not applied; your note is kept in the timeline',
    )
    expect(conflictText({ ...close, heldBy: null }, [])).toBe('Asha Rao closed this case')
  })
})
