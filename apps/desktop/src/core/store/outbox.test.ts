import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { makeAnomaly, seedAnomalies, tempStore } from '../../../test/support/fixtures.ts'
import type { LocalStore } from './local-store.ts'

describe('decisions outbox', () => {
  let store: LocalStore
  let cleanup: () => void
  beforeEach(() => {
    ;({ store, cleanup } = tempStore())
    seedAnomalies(store, [
      makeAnomaly(1),
      makeAnomaly(2),
      makeAnomaly(3, {
        status: 'NEEDS_REVIEW',
        latestDecision: { label: 'NEEDS_REVIEW', note: 'look', decidedBy: 'u2', decidedAt: 5, mutationId: 'm-u2', decidedById: 'user_2' },
      }),
    ])
  })
  afterEach(() => cleanup())

  it('applies a bulk decision at once and queues one uuid mutation per anomaly', () => {
    const result = store.outbox.record({ anomalyIds: ['an_00001', 'an_00002', 'an_00001'], label: 'FALSE_POSITIVE', note: 'known merchant' }, 'me', 100)
    expect(result.decided).toBe(2)
    expect(store.queue.get('an_00001')).toMatchObject({ status: 'FALSE_POSITIVE', pending: true, latestDecision: { note: 'known merchant', decidedBy: 'me' } })
    const queued = store.outbox.takeForPush(500)
    expect(queued).toHaveLength(2)
    for (const d of queued) expect(d.mutationId).toMatch(/^[0-9a-f-]{36}$/)
    expect(queued[0]).toMatchObject({ label: 'FALSE_POSITIVE', note: 'known merchant', decidedAt: 100 })
    expect(() => store.outbox.record({ anomalyIds: ['missing'], label: 'FALSE_POSITIVE' }, 'me', 1)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }))
    // The failed action wrote nothing.
    expect(store.outbox.counts().pending).toBe(2)
  })

  it('undoes the last action back to the previous status and decision, one action at a time', () => {
    store.outbox.record({ anomalyIds: ['an_00003'], label: 'CONFIRMED_FRAUD' }, 'me', 100)
    store.outbox.record({ anomalyIds: ['an_00001', 'an_00002'], label: 'NEEDS_REVIEW' }, 'me', 200)
    expect(store.outbox.undoLast()).toMatchObject({ restored: 2 })
    expect(store.queue.get('an_00001')).toMatchObject({ status: 'OPEN', pending: false, latestDecision: null })
    expect(store.outbox.undoLast()).toMatchObject({ restored: 1, anomalyIds: ['an_00003'] })
    expect(store.queue.get('an_00003')).toMatchObject({ status: 'NEEDS_REVIEW', latestDecision: { note: 'look', decidedBy: 'u2' } })
    expect(store.outbox.undoLast()).toEqual({ restored: 0, anomalyIds: [] })
    expect(store.outbox.counts().pending).toBe(0)
  })

  it('refuses to undo what is in flight or already pushed', () => {
    store.outbox.record({ anomalyIds: ['an_00001'], label: 'CONFIRMED_FRAUD' }, 'me', 100)
    const [sent] = store.outbox.takeForPush(10)
    expect(() => store.outbox.undoLast()).toThrow(expect.objectContaining({ code: 'CONFLICT' }))
    store.outbox.markOutcomes([{ mutationId: sent?.mutationId ?? '', outcome: 'applied', status: 'CONFIRMED_FRAUD' }], 150)
    expect(() => store.outbox.undoLast()).toThrow(/already been sent/)
    expect(store.outbox.counts()).toEqual({ pending: 0, rejected: 0, conflicts: 0 })
  })

  it('puts in-flight decisions back in the queue after a failed push or a crash', () => {
    store.outbox.record({ anomalyIds: ['an_00001'], label: 'CONFIRMED_FRAUD' }, 'me', 100)
    expect(store.outbox.takeForPush(10)).toHaveLength(1)
    store.outbox.releaseInFlight()
    expect(store.outbox.takeForPush(10)).toHaveLength(1)
    expect(store.outbox.counts().pending).toBe(1)
  })

  it('bases each decision on the one in force on screen, and undo puts that back', () => {
    const me = { id: 'user_1', name: 'Asha' }
    store.outbox.record({ anomalyIds: ['an_00003'], label: 'CONFIRMED_FRAUD' }, me, 100)
    expect(store.queue.get('an_00003').latestDecision).toMatchObject({ label: 'CONFIRMED_FRAUD', decidedBy: 'Asha', decidedById: 'user_1' })
    store.outbox.record({ anomalyIds: ['an_00003', 'an_00001'], label: 'FALSE_POSITIVE' }, me, 200)
    const [first, second, third] = store.outbox.takeForPush(10)
    // The pulled decision, then my own first one (what the screen showed), then none.
    expect(first).toMatchObject({ anomalyId: 'an_00003', basedOn: 'm-u2' })
    expect(second).toMatchObject({ anomalyId: 'an_00003', basedOn: first?.mutationId })
    expect(third).toMatchObject({ anomalyId: 'an_00001', basedOn: null })
    store.outbox.releaseInFlight()
    store.outbox.undoLast()
    store.outbox.undoLast()
    expect(store.queue.get('an_00003').latestDecision).toEqual({
      label: 'NEEDS_REVIEW',
      note: 'look',
      decidedBy: 'u2',
      decidedAt: 5,
      mutationId: 'm-u2',
      decidedById: 'user_2',
    })
  })

  it("shows the standing decision of a conflict answer and keeps the analyst's as lost until they decide again", () => {
    store.outbox.record({ anomalyIds: ['an_00001'], label: 'FALSE_POSITIVE', note: 'known merchant' }, 'me', 100)
    const [sent] = store.outbox.takeForPush(10)
    const standing = {
      label: 'CONFIRMED_FRAUD' as const,
      note: 'card testing',
      decidedBy: 'Priya',
      decidedById: 'user_2',
      decidedAt: 90,
      mutationId: 'm-priya',
    }
    store.outbox.markOutcomes(
      [{ mutationId: sent?.mutationId ?? '', outcome: 'conflict', status: 'CONFIRMED_FRAUD', standing, reason: 'Priya decided first' }],
      150,
    )
    expect(store.outbox.counts()).toEqual({ pending: 0, rejected: 0, conflicts: 1 })
    const overruled = () => store.queue.snapshot({ filters: { overruled: true }, sort: 'time' }).keys.map((k) => store.queue.rows([k])[0]?.id)
    expect(overruled()).toEqual(['an_00001'])
    expect(store.queue.get('an_00001')).toMatchObject({
      status: 'CONFIRMED_FRAUD',
      pending: false,
      latestDecision: { label: 'CONFIRMED_FRAUD', note: 'card testing', decidedBy: 'Priya', decidedById: 'user_2', decidedAt: 90, mutationId: 'm-priya' },
      conflict: {
        mine: { mutationId: sent?.mutationId, label: 'FALSE_POSITIVE', note: 'known merchant', decidedAt: 100 },
        standing: { label: 'CONFIRMED_FRAUD', note: 'card testing', decidedBy: 'Priya', decidedAt: 90, mutationId: 'm-priya' },
      },
    })
    // Reopening: a note is needed, local files cannot be reopened, and the reopen is based on hers.
    expect(() => store.outbox.reopen({ anomalyId: 'an_00001', label: 'NEEDS_REVIEW', note: ' ', basedOn: 'm-priya' }, 'me', 200)).toThrow(/note is required/)
    store.db.prepare("INSERT INTO local_batches (id, name, created_at) VALUES ('b1', 'file.csv', 1)").run()
    store.db.prepare("UPDATE anomalies SET batch_id = 'b1' WHERE id = 'an_00002'").run()
    expect(() => store.outbox.reopen({ anomalyId: 'an_00002', label: 'NEEDS_REVIEW', note: 'x', basedOn: 'm' }, 'me', 200)).toThrow(/synced from the server/)
    store.outbox.reopen({ anomalyId: 'an_00001', label: 'NEEDS_REVIEW', note: 'refund claimed', basedOn: 'm-priya' }, 'me', 200)
    expect(store.outbox.takeForPush(10)).toEqual([
      expect.objectContaining({ anomalyId: 'an_00001', label: 'NEEDS_REVIEW', note: 'refund claimed', basedOn: 'm-priya' }),
    ])
    expect(store.outbox.counts().conflicts).toBe(0)
    expect(store.queue.get('an_00001').conflict).toBeNull()
    expect(overruled()).toEqual([])
    // Undoing the reopen before it is sent brings the notice back.
    store.outbox.releaseInFlight()
    store.outbox.undoLast()
    expect(store.queue.get('an_00001').conflict).toMatchObject({ standing: { mutationId: 'm-priya' } })
  })

  it('keeps decisions on offline-scored rows local: never pushed, still undoable', () => {
    store.db.prepare("INSERT INTO local_batches (id, name, created_at) VALUES ('b1', 'file.csv', 1)").run()
    store.db.prepare("UPDATE anomalies SET batch_id = 'b1' WHERE id = 'an_00002'").run()
    store.outbox.record({ anomalyIds: ['an_00002'], label: 'CONFIRMED_FRAUD' }, 'me', 100)
    expect(store.outbox.takeForPush(10)).toEqual([])
    expect(store.outbox.counts().pending).toBe(0)
    expect(store.outbox.undoLast().restored).toBe(1)
    expect(store.queue.get('an_00002').status).toBe('OPEN')
  })
})
