import { describe, expect, it } from 'vitest'
import { auditChanges, entityHref, entityLabel } from './audit-diff.ts'

describe('auditChanges', () => {
  it('lists only the fields whose values changed', () => {
    expect(auditChanges({ status: 'OPEN', note: 'same' }, { status: 'FRAUD', note: 'same' })).toEqual([{ field: 'status', before: 'OPEN', after: 'FRAUD' }])
  })

  it('lists nothing when old and new agree, whatever their key order', () => {
    expect(auditChanges({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toEqual([])
    expect(auditChanges(null, null)).toEqual([])
  })

  it('drops sync bookkeeping and internal ids, at any depth', () => {
    const changes = auditChanges({ status: 'OPEN' }, { status: 'FRAUD', note: null, mutationId: 'm-1', eventId: 'e-1', nested: { orgId: 'o-1', id: 'x' } })
    expect(changes.map((c) => c.field)).toEqual(['status', 'note'])
  })

  it('spells nested objects out as dotted fields', () => {
    expect(auditChanges({ settings: { sms: false, email: true } }, { settings: { sms: true, email: true } })).toEqual([
      { field: 'settings.sms', before: 'false', after: 'true' },
    ])
  })

  it('lists a creation field by field with nothing before, and a removal with nothing after', () => {
    expect(auditChanges(null, { name: 'Asha', role: 'analyst' })).toEqual([
      { field: 'name', before: undefined, after: 'Asha' },
      { field: 'role', before: undefined, after: 'analyst' },
    ])
    expect(auditChanges({ name: 'Asha' }, null)).toEqual([{ field: 'name', before: 'Asha', after: undefined }])
  })

  it('shows values compactly: null as none, long lists cut with their length, deep objects as short JSON', () => {
    const [list, deep, empty] = auditChanges(
      { ids: null, a: { b: { c: { d: 1 } } }, label: 'x' },
      { ids: ['p', 'q', 'r', 's', 't'], a: { b: { c: { d: 2, mutationId: 'm' } } }, label: '' },
    )
    expect(list).toEqual({ field: 'ids', before: 'none', after: '[p, q, r, … 5 in all]' })
    expect(deep).toEqual({ field: 'a.b.c', before: '{"d":1}', after: '{"d":2}' })
    expect(empty).toEqual({ field: 'label', before: 'x', after: '""' })
    const [long] = auditChanges({}, { comment: 'w'.repeat(200) })
    expect(long?.after?.length).toBe(80)
    expect(long?.after?.endsWith('…')).toBe(true)
  })

  it('names ids the console knows (members)', () => {
    expect(auditChanges({ assigneeId: null }, { assigneeId: 'u-1' }, new Map([['u-1', 'Asha Rao']]))).toEqual([
      { field: 'assigneeId', before: 'none', after: 'Asha Rao' },
    ])
  })

  it('compares data that is not an object as one value', () => {
    expect(auditChanges('v1', 'v2')).toEqual([{ field: 'value', before: 'v1', after: 'v2' }])
  })
})

describe('entityHref and entityLabel', () => {
  it('links alerts and cases to the routes the console opens, nothing else', () => {
    expect(entityHref('Anomaly', 'an_1')).toBe('#/anomalies/an_1')
    expect(entityHref('Case', 'c-9')).toBe('#/cases/c-9')
    expect(entityHref('ApiKey', 'k1')).toBeNull()
    expect(entityHref('Case', null)).toBeNull()
    expect(entityHref('Case', 'a/b')).toBeNull()
  })

  it('names entity types for people', () => {
    expect(entityLabel('Anomaly')).toBe('Alert')
    expect(entityLabel('NotificationSettings')).toBe('Alert settings')
    expect(entityLabel('TrainingJob')).toBe('Training job')
    expect(entityLabel('Case')).toBe('Case')
  })
})
